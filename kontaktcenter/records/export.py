"""Release copies (utlämnande) of an ärende as self-contained HTML or JSON.

The copy holds the registration data and the masked messages, never the originals
or the internal conversation id. Every release is written to the audit log. All text
is HTML-escaped, so a resident's ``<script>`` is shown as text.
"""

from __future__ import annotations

import getpass
import html
import json
from datetime import datetime
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.audit import write_audit
from kontaktcenter.records.errors import CaseNotFound
from kontaktcenter.records.info import CaseDetail, MessageInfo, NoteInfo
from kontaktcenter.records.states import label
from kontaktcenter.records.text import local_text, one_line, utc_now

if TYPE_CHECKING:
    from kontaktcenter.records.queries import Queries

FORMATS = ("html", "json")
ANONYMOUS_REQUESTER = "anonym sökande"
NOTICE = (
    "Detta är en kopia av en allmän handling: en chattkonversation med {authority}. "
    "Personnummer, telefonnummer och e-postadresser har maskerats och ersatts med en "
    "markering inom hakparentes, till exempel [telefonnummer borttaget]. "
    "Övrigt innehåll återges oförändrat."
)
_ROLE_LABELS = {
    v.ROLE_RESIDENT: "Invånare",
    v.ROLE_BOT: "Chattbot",
    v.ROLE_STAFF: "Kommunvägledare",
}


def _authority() -> str:
    try:
        from kontaktcenter.facts import get_facts

        return get_facts().name
    except (OSError, KeyError, ValueError):
        return "Helsingborg kontaktcenter"


def _who(message: MessageInfo) -> str:
    label = _ROLE_LABELS.get(message.sender_role, message.sender_role)
    return f"{label} {message.sender_name}" if message.sender_name else label


def _registration(detail: CaseDetail) -> list[tuple[str, str, str]]:
    case = detail.case
    return [
        ("diarienummer", "Diarienummer", case.diarienummer),
        ("inkom", "Inkom", local_text(case.registered_at)),
        ("kanal", "Kanal", v.channel_label(case.channel)),
        ("avsändare", "Avsändare", case.sender),
        ("ärendemening", "Ärendemening", case.subject),
        ("status", "Status", label(case.status)),
        ("handläggare", "Handläggare", case.handled_by or "–"),
        ("avslutad", "Avslutad", local_text(case.closed_at) or "–"),
    ]


def _notes(detail: CaseDetail) -> list[NoteInfo]:
    """The ärende's notes as a release shows them: masked, like the messages, always."""
    return [] if detail.originals else detail.notes


def render_json(
    detail: CaseDetail, *, authority: str, requested_by: str, released_at: datetime
) -> str:
    data = {
        "handling": "Kopia av allmän handling",
        "myndighet": authority,
        "upplysning": NOTICE.format(authority=authority),
        "utlämnad": local_text(released_at),
        "begärd_av": requested_by,
        "registrering": {key: value for key, _, value in _registration(detail)},
        "meddelanden": [
            {"ordning": m.seq, "tid": local_text(m.sent_at), "avsändare": _who(m), "text": m.text}
            for m in detail.messages
        ],
        "anteckningar": [
            {"tid": local_text(n.written_at), "författare": n.author, "text": n.text}
            for n in _notes(detail)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_html(
    detail: CaseDetail, *, authority: str, requested_by: str, released_at: datetime
) -> str:
    esc = html.escape
    registration = "\n".join(
        f'<tr><th scope="row">{esc(label)}</th><td>{esc(value)}</td></tr>'
        for _, label, value in _registration(detail)
    )
    if detail.messages:
        items = "\n".join(
            f'<li class="{esc(m.sender_role.replace("å", "a").replace("ä", "a"))}">'
            f'<div class="meta">{esc(local_text(m.sent_at))} – {esc(_who(m))}</div>'
            f'<div class="text">{esc(m.text)}</div></li>'
            for m in detail.messages
        )
        messages = f'<ol class="messages">\n{items}\n</ol>'
    else:
        messages = "<p>Ärendet innehåller inga meddelanden (de kan ha gallrats).</p>"
    notes = "\n".join(
        f'<li><div class="meta">{esc(local_text(n.written_at))} – {esc(n.author)}</div>'
        f'<div class="text">{esc(n.text)}</div></li>'
        for n in _notes(detail)
    )
    notes_html = f'<ol class="notes">\n{notes}\n</ol>' if notes else "<p>Inga anteckningar.</p>"
    template = Template(
        resources.files("kontaktcenter.records")
        .joinpath("templates/release.html")
        .read_text(encoding="utf-8")
    )
    return template.substitute(
        authority=esc(authority),
        diarienummer=esc(detail.case.diarienummer),
        notice=esc(NOTICE.format(authority=authority)),
        registration=registration,
        messages=messages,
        notes=notes_html,
        released_at=esc(local_text(released_at)),
        requested_by=esc(requested_by),
    )


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "okänd"


def export_case(
    register: Queries,
    diarienummer: str,
    fmt: str = "html",
    *,
    requested_by: str = "",
    released_by: str = "",
    at: datetime | None = None,
) -> str:
    """The release copy as text; raises CaseNotFound / ValueError with Swedish messages."""

    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"Okänt format {one_line(fmt, 20)!r}. Välj html eller json.")
    number = v.normalise_diarienummer(diarienummer)
    detail = register.get_case(number)
    if detail is None:
        raise CaseNotFound(number)
    requester = one_line(requested_by, 200) or ANONYMOUS_REQUESTER
    actor = one_line(released_by, 200) or _default_actor()
    released_at = at or utc_now()
    authority = _authority()
    render = render_html if fmt == "html" else render_json
    document = render(detail, authority=authority, requested_by=requester, released_at=released_at)
    with write_session(register.db) as session:
        write_audit(
            session,
            at=released_at,
            actor=actor,
            action=v.ACTION_EXPORT,
            diarienummer=number,
            reason=f"Kopia ({fmt}) lämnad ut på begäran av {requester}.",
        )
    return document
