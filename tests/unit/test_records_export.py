"""Release copies (utlämnande): masked, escaped, self-contained, audited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import CaseNotFound, Register
from kontaktcenter.records.audit import list_audit
from kontaktcenter.records.lifecycle import move_case_by_number
from kontaktcenter.records.states import Event, Owner
from tests.records_events import T0, ev


@pytest.fixture()
def case(register: Register) -> str:
    register.record_event(ev("session_started", "c1", T0, input_channel="socketio"))
    register.record_event(
        ev(
            "user",
            "c1",
            T0 + timedelta(seconds=1),
            "<script>alert('x')</script> pnr 19900101-0017 & tel 070-123 45 67",
            intent="ask_opening_hours",
        )
    )
    register.record_event(
        ev("bot", "c1", T0 + timedelta(seconds=2), "Ring 042-10 50 00.\nVälkommen!")
    )
    number = register.case_for_conversation("c1").diarienummer
    with write_session(register.db) as session:  # the handover's moves (queue, take)
        move_case_by_number(session, number, Event.REQUEST_HUMAN, Owner.BOT, at=T0, by="bot")
        move_case_by_number(session, number, Event.TAKE, Owner.CONSOLE, at=T0, by="anna",
                            handled_by="Anna <A>")
    register.record_event(
        ev(
            "bot",
            "c1",
            T0 + timedelta(seconds=3),
            "Hej <b>du</b>",
            metadata={"kc_agent": "Anna <A>"},
        )
    )
    return number


def test_html_copy_is_masked_escaped_and_self_contained(register: Register, case: str) -> None:
    page = register.export_case(
        case, "html", requested_by="Journalist Jens", released_by="Rita", at=T0 + timedelta(days=2)
    )
    assert page.startswith("<!DOCTYPE html>")
    assert "Kopia av allmän handling" in page
    assert "har maskerats" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "Hej &lt;b&gt;du&lt;/b&gt;" in page and "Kommunvägledare Anna &lt;A&gt;" in page
    assert "19900101" not in page and "070-123" not in page
    assert "[personnummer borttaget]" in page and "[telefonnummer borttaget]" in page
    assert "042-10 50 00" in page
    assert "&amp; tel" in page
    # Registration data, Swedish local time (09:00 UTC = 10:00 in November).
    for label, value in [
        ("Diarienummer", case),
        ("Inkom", "2026-11-27 10:00"),
        ("Kanal", "webbchatt"),
        ("Avsändare", "Anonym invånare"),
        ("Ärendemening", "Fråga om öppettider"),
        ("Status", "hos kommunvägledare"),
        ("Handläggare", "Anna &lt;A&gt;"),
    ]:
        assert re.search(rf"<th[^>]*>{label}</th><td>{re.escape(value)}</td>", page), label
    assert "Begärd av: Journalist Jens" in page
    # No external resources of any kind.
    assert not re.search(r"""(src|href)\s*=|<link|@import|url\(|https?://""", page, re.I)
    assert "c1" not in re.sub(r"class=\"[^\"]*\"", "", page)  # no internal conversation id


def test_json_copy(register: Register, case: str) -> None:
    data = json.loads(register.export_case(case, "json"))
    assert data["handling"] == "Kopia av allmän handling"
    assert data["registrering"]["diarienummer"] == case
    assert data["registrering"]["ärendemening"] == "Fråga om öppettider"
    assert data["begärd_av"] == "anonym sökande"
    assert [m["avsändare"] for m in data["meddelanden"]] == [
        "Invånare",
        "Chattbot",
        "Kommunvägledare Anna <A>",
    ]
    assert "19900101" not in json.dumps(data, ensure_ascii=False)
    assert "conversation_id" not in json.dumps(data)


def test_every_export_is_audited(register: Register, case: str) -> None:
    register.export_case(case, "html", requested_by="Anonym", released_by="Rita")
    register.export_case(case, "json", released_by="Rita")
    entries = [e for e in list_audit(register.db) if e.action != "statusändring"]
    assert [e.action for e in entries] == ["utlämnande", "utlämnande"]
    assert entries[0].actor == "Rita" and entries[0].diarienummer == case
    assert "json" in entries[0].reason and "anonym sökande" in entries[0].reason
    assert "html" in entries[1].reason and "Anonym" in entries[1].reason


def test_export_errors(register: Register, case: str) -> None:
    with pytest.raises(ValueError, match="Okänt format"):
        register.export_case(case, "pdf")
    with pytest.raises(CaseNotFound, match="inget ärende"):
        register.export_case("KC-2026-000999", "html")
    with pytest.raises(ValueError, match="Ogiltigt diarienummer"):
        register.export_case("<b>", "html")
    assert [e for e in list_audit(register.db) if e.action == "utlämnande"] == []
