"""The resident's own copy of the conversation, as HTML or plain text.

Built from the register's view of the ärende (``CaseDetail``), so the resident gets the
text exactly as it was registered: masked the way the public record is. The caller
(``site.transcript``) decides whose conversation it is; this module only formats.
"""

from __future__ import annotations

import html

from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.info import CaseDetail, MessageInfo
from kontaktcenter.records.text import local, local_text

FORMATS = {"html": "text/html", "text": "text/plain"}
NOTICE = (
    "Samtalet är en allmän handling. Personnummer, telefonnummer och e-postadresser är "
    "maskerade i kopian, på samma sätt som i stadens register."
)
EMPTY = "Samtalet har inga sparade meddelanden ännu."
_SPEAKERS = {v.ROLE_RESIDENT: "Du", v.ROLE_BOT: "Chattbot", v.ROLE_STAFF: "Kommunvägledare"}


def speaker(message: MessageInfo) -> str:
    label = _SPEAKERS.get(message.sender_role, message.sender_role)
    if message.sender_role == v.ROLE_STAFF and message.sender_name:
        return f"{label} {message.sender_name}"
    return label


def filename(detail: CaseDetail, fmt: str) -> str:
    extension = "html" if fmt == "html" else "txt"
    return f"chatt-{detail.case.diarienummer}.{extension}"


def render_text(detail: CaseDetail, authority: str) -> str:
    case = detail.case
    lines = [
        f"Chatt med {authority}",
        f"Ärendenummer (diarienummer): {case.diarienummer}",
        f"Datum: {local(case.registered_at).strftime('%Y-%m-%d')}",
        NOTICE,
        "",
    ]
    for message in detail.messages:
        lines += [f"{local_text(message.sent_at)}  {speaker(message)}", message.text, ""]
    if not detail.messages:
        lines.append(EMPTY)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_html(detail: CaseDetail, authority: str) -> str:
    esc = html.escape
    case = detail.case
    items = "\n".join(
        f'<li><p class="meta"><time datetime="{esc(m.sent_at.isoformat())}">'
        f"{esc(local_text(m.sent_at))}</time> – <strong>{esc(speaker(m))}</strong></p>"
        f'<p class="text">{esc(m.text)}</p></li>'
        for m in detail.messages
    )
    body = f"<ol>\n{items}\n</ol>" if detail.messages else f"<p>{esc(EMPTY)}</p>"
    return f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chatt {esc(case.diarienummer)} – {esc(authority)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1b1b1b; background: #fff; }}
ol {{ list-style: none; padding: 0; }}
li {{ border-left: 4px solid #767c80; padding: 0.25rem 0.75rem; margin: 0.75rem 0; }}
.meta {{ margin: 0; font-size: 0.875rem; color: #4f5558; }}
.text {{ margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>
</head>
<body>
<h1>Chatt med {esc(authority)}</h1>
<dl>
<dt>Ärendenummer (diarienummer)</dt><dd>{esc(case.diarienummer)}</dd>
<dt>Datum</dt><dd>{esc(local(case.registered_at).strftime('%Y-%m-%d'))}</dd>
</dl>
<p>{esc(NOTICE)}</p>
{body}
</body>
</html>
"""


def render(detail: CaseDetail, fmt: str, authority: str) -> str:
    if fmt not in FORMATS:
        raise ValueError("Välj html eller text.")
    return render_html(detail, authority) if fmt == "html" else render_text(detail, authority)
