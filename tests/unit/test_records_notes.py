"""Internal notes (anteckningar): part of the ärende, masked like messages, audited originals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from kontaktcenter.records import CaseNotFound, Register
from kontaktcenter.records.audit import list_audit
from kontaktcenter.records.notes import MAX_NOTE_CHARS, CaseNote
from tests.records_events import T0, ev

AUTHOR = "Anna Andersson (anna)"


@pytest.fixture()
def number(register: Register) -> str:
    register.record_event(ev("session_started", "c1", T0, input_channel="socketio"))
    register.record_event(ev("user", "c1", T0 + timedelta(seconds=1), "Hej, bygglov?"))
    return register.case_for_conversation("c1").diarienummer


def test_a_note_is_recorded_with_author_and_the_clocks_time(register: Register,
                                                            number: str) -> None:
    with freeze_time("2026-12-31 22:59:30"):  # 23:59:30 in Stockholm, New Year's Eve
        note = register.add_note(number.lower(), AUTHOR, "  Ringde upp.\nInväntar svar.  ")
    assert note.text == "Ringde upp.\nInväntar svar." and not note.masked
    [stored] = register.notes(number)
    assert stored.author == AUTHOR
    assert stored.written_at == datetime(2026, 12, 31, 22, 59, 30, tzinfo=timezone.utc)
    assert register.get_case(number).notes == [stored]
    # Notes are not messages: the conversation the resident had is unchanged.
    assert [m.text for m in register.get_case(number).messages] == ["Hej, bygglov?"]


def test_personal_data_in_a_note_is_masked_and_only_an_audited_reader_sees_it(
    register: Register, number: str
) -> None:
    note = register.add_note(number, AUTHOR, "Ring henne på 070-123 45 67", at=T0)
    assert note.masked and "070" not in note.text and "[telefonnummer borttaget]" in note.text
    assert "070" not in register.get_case(number).notes[0].text
    original = register.read_original(number, "reg", "registrator", "begäran om utlämnande")
    assert original.notes[0].text == "Ring henne på 070-123 45 67"
    assert list_audit(register.db)[-1].action == "läsning av original"


def test_release_copies_carry_the_notes_masked(register: Register, number: str) -> None:
    register.add_note(number, AUTHOR, "Återkom på 070-123 45 67 <b>snart</b>", at=T0)
    page = register.export_case(number, "html", released_by="reg")
    assert "Anteckningar" in page and AUTHOR in page
    assert "070-123" not in page and "&lt;b&gt;snart&lt;/b&gt;" in page
    data = json.loads(register.export_case(number, "json", released_by="reg"))
    [entry] = data["anteckningar"]
    assert entry["författare"] == AUTHOR
    assert entry["text"] == "Återkom på [telefonnummer borttaget] <b>snart</b>"


def test_bad_notes_get_swedish_errors_and_nothing_is_stored(register: Register,
                                                           number: str) -> None:
    with pytest.raises(ValueError, match="Skriv anteckningen"):
        register.add_note(number, AUTHOR, "   \n ")
    with pytest.raises(ValueError, match="för lång"):
        register.add_note(number, AUTHOR, "x" * (MAX_NOTE_CHARS + 1))
    with pytest.raises(ValueError, match="författare"):
        register.add_note(number, " ", "text")
    with pytest.raises(CaseNotFound):
        register.add_note("KC-2026-999999", AUTHOR, "text")
    with pytest.raises(ValueError, match="Ogiltigt diarienummer"):
        register.add_note("nonsens", AUTHOR, "text")
    assert register.notes(number) == []


def test_disposal_removes_the_notes_with_the_messages(register: Register) -> None:
    register.record_event(ev("user", "handled", T0, "Mitt nr 070-123 45 67"))
    register.record_event(
        ev("bot", "handled", T0 + timedelta(seconds=1), "Hej!", metadata={"kc_agent": "Anna"})
    )
    number = register.case_for_conversation("handled").diarienummer
    register.add_note(number, AUTHOR, "Ringde 070-123 45 67", at=T0)
    register.close_idle_cases(T0 + timedelta(hours=1), timedelta(minutes=30))
    report = register.dispose(T0 + timedelta(days=4000))
    assert [i.diarienummer for i in report.items] == [number]
    with register.db.session() as session:
        assert session.execute(select(func.count()).select_from(CaseNote)).scalar() == 0
    detail = register.get_case(number)  # anonymised (retention.yml): the registration stays
    assert detail is not None and detail.case.status == "disposed" and detail.notes == []
    with pytest.raises(ValueError, match="gallrat"):
        register.add_note(number, AUTHOR, "för sent")
