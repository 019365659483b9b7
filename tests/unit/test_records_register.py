"""The register: cases per session, messages in order, idempotency, queries, originals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import AccessDenied, CaseNotFound, RecordOutcome, Register
from kontaktcenter.records.audit import list_audit
from kontaktcenter.records.lifecycle import move_case_by_number
from kontaktcenter.records.models import MessageOriginal
from kontaktcenter.records.register import session_key_for
from kontaktcenter.records.states import Event, Owner
from tests.records_events import T0, conversation, ev, make_register


def record_all(register: Register, events: list[dict]) -> list[RecordOutcome]:
    return [register.record_event(e) for e in events]


def test_one_session_is_one_case_with_messages_in_order(register: Register) -> None:
    outcomes = record_all(register, conversation("c1", T0, turns=3))
    assert outcomes[0] is RecordOutcome.OPENED
    assert outcomes[1:] == [RecordOutcome.RECORDED] * 6
    case = register.case_for_conversation("c1")
    assert case is not None
    assert case.diarienummer == "KC-2026-000001"
    assert case.registered_at == T0
    assert case.channel == "rest"
    assert case.sender == "Anonym invånare"
    assert case.subject == "Fråga om öppettider"
    assert case.status == "open" and case.status_label == "öppen"
    assert case.message_count == 6
    detail = register.get_case(case.diarienummer)
    assert detail is not None
    assert [m.seq for m in detail.messages] == [1, 2, 3, 4, 5, 6]
    assert [m.sender_role for m in detail.messages] == ["invånare", "chattbot"] * 3
    assert detail.messages[0].text == "fråga 0 från c1"
    assert detail.messages[-1].sent_at == T0 + timedelta(seconds=6)


def test_the_same_events_twice_never_duplicate(register: Register) -> None:
    events = conversation("c1", T0)
    record_all(register, events)
    again = record_all(register, events)
    assert set(again) == {RecordOutcome.DUPLICATE}
    detail = register.get_case("KC-2026-000001")
    assert detail is not None and len(detail.messages) == 4
    assert register.case_for_conversation("c1").diarienummer == "KC-2026-000001"
    assert register.list_cases() and len(register.list_cases()) == 1


def test_open_case_is_idempotent_per_session(register: Register) -> None:
    first = register.open_case("c1", T0, "socketio")
    second = register.open_case("c1", T0, "socketio")
    assert first.diarienummer == second.diarienummer
    # The broker's session_started for the same session lands in the same case.
    assert register.record_event(ev("session_started", "c1", T0)) is RecordOutcome.DUPLICATE
    register.record_event(ev("user", "c1", T0 + timedelta(seconds=1), "hej"))
    assert register.get_case(first.diarienummer).case.message_count == 1
    assert session_key_for("c1", T0) == session_key_for("c1", T0)


def test_new_session_is_a_new_case_and_closes_the_previous(register: Register) -> None:
    record_all(register, conversation("c1", T0))
    later = T0 + timedelta(hours=2)
    record_all(register, conversation("c1", later))
    cases = register.list_cases()
    assert [c.diarienummer for c in cases] == ["KC-2026-000002", "KC-2026-000001"]
    old = register.get_case("KC-2026-000001").case
    assert old.status == "closed" and old.closed_at == later
    assert register.case_for_conversation("c1").diarienummer == "KC-2026-000002"
    assert register.get_case("KC-2026-000002").case.message_count == 4


def test_user_event_without_open_case_opens_one(register: Register) -> None:
    assert register.record_event(ev("user", "c9", T0, "hej")) is RecordOutcome.OPENED
    case = register.case_for_conversation("c9")
    assert case.message_count == 1 and case.registered_at == T0
    # After the case has been closed, the next message opens a new one.
    register.close_idle_cases(T0 + timedelta(hours=1), timedelta(minutes=30))
    register.record_event(ev("bot", "c9", T0 + timedelta(hours=2), "hej igen"))
    assert register.case_for_conversation("c9").diarienummer == "KC-2026-000002"


def test_topics_make_the_subject(register: Register) -> None:
    register.record_event(ev("session_started", "c1", T0))
    for i, intent in enumerate(
        ["greet", "ask_opening_hours", "hid_what", "hid_where", "request_human", "ask_open_now"]
    ):
        register.record_event(ev("user", "c1", T0 + timedelta(seconds=i + 1), "x", intent=intent))
    subject = register.case_for_conversation("c1").subject
    assert subject == (
        "Fråga om öppettider; Fråga om Helsingborg Innovation District; "
        "Begäran om kontakt med kommunvägledare"
    )


def test_agent_messages_are_recorded_but_never_change_the_state(register: Register) -> None:
    """Only the state machine's owners move an ärende; the broker records messages."""
    register.record_event(ev("session_started", "c1", T0))
    register.record_event(
        ev("user", "c1", T0 + timedelta(seconds=1), "människa", intent="request_human")
    )
    register.record_event(ev("pause", "c1", T0 + timedelta(seconds=2)))
    assert register.case_for_conversation("c1").status == "open"
    register.record_event(
        ev(
            "bot",
            "c1",
            T0 + timedelta(seconds=3),
            "Hej, Anna här.",
            metadata={"kc_agent": "Anna", "kc_agent_name": "Anna Andersson",
                      "kc_agent_username": "anna"},
        )
    )
    case = register.case_for_conversation("c1")
    assert case.status == "open"
    assert case.retention_category == "handlagd_chatt"
    detail = register.get_case(case.diarienummer)
    assert detail.messages[-1].sender_role == "kommunvägledare"
    assert detail.messages[-1].sender_name == "Anna Andersson (anna)"
    register.record_event(ev("resume", "c1", T0 + timedelta(seconds=4)))
    assert register.case_for_conversation("c1").status == "open"


def test_sender_name_from_message_metadata_only(register: Register) -> None:
    register.record_event(ev("session_started", "c1", T0))
    assert register.case_for_conversation("c1").sender == "Anonym invånare"
    register.record_event(ev("user", "c1", T0 + timedelta(seconds=1), "hej",
                             metadata={"kc_resident_name": "Eva Ek"}))
    assert register.case_for_conversation("c1").sender == "Eva Ek"


def test_masked_text_stored_original_kept_apart(register: Register, sqlite_url: str) -> None:
    register.record_event(ev("session_started", "c1", T0))
    register.record_event(ev("user", "c1", T0 + timedelta(seconds=1), "Ring mig på 070-123 45 67"))
    register.record_event(ev("bot", "c1", T0 + timedelta(seconds=2), "Ring oss på 042-10 50 00"))
    detail = register.get_case("KC-2026-000001")
    assert detail.messages[0].text == "Ring mig på [telefonnummer borttaget]"
    assert detail.messages[0].masked
    assert detail.messages[1].text == "Ring oss på 042-10 50 00"
    assert not detail.messages[1].masked
    with register.db.session() as session:
        originals = session.execute(select(MessageOriginal)).scalars().all()
    assert [o.text for o in originals] == ["Ring mig på 070-123 45 67"]
    # Search sees only masked text: a phone number finds nothing.
    assert register.search("070-123") == []


def test_read_original_authorised_and_audited(register: Register) -> None:
    register.record_event(ev("user", "c1", T0, "Mitt pnr är 19900101-0017"))
    at = T0 + timedelta(days=1)
    detail = register.read_original(
        "KC-2026-000001", "Rita Registrator", "registrator", "Begäran från den registrerade", at=at
    )
    assert detail.originals
    assert detail.messages[0].text == "Mitt pnr är 19900101-0017"
    entry = list_audit(register.db)[0]
    assert (entry.actor, entry.role, entry.action, entry.diarienummer) == (
        "Rita Registrator",
        "registrator",
        "läsning av original",
        "KC-2026-000001",
    )
    assert entry.reason == "Begäran från den registrerade" and entry.at == at


def test_read_original_denied_for_other_roles_and_still_logged(register: Register) -> None:
    register.record_event(ev("user", "c1", T0, "Mitt pnr är 19900101-0017"))
    with pytest.raises(AccessDenied, match="får inte läsa original"):
        register.read_original("KC-2026-000001", "Kim", "kommunvägledare", "nyfiken")
    entry = list_audit(register.db)[0]
    assert entry.action == "nekad läsning av original" and entry.actor == "Kim"
    with pytest.raises(ValueError, match="skälet"):
        register.read_original("KC-2026-000001", "Rita", "registrator", "   ")
    with pytest.raises(ValueError, match="vem"):
        register.read_original("KC-2026-000001", "", "registrator", "skäl")
    with pytest.raises(CaseNotFound):
        register.read_original("KC-2026-000099", "Rita", "registrator", "skäl")


def test_close_idle_cases(register: Register) -> None:
    record_all(register, conversation("quiet", T0))
    record_all(register, conversation("busy", T0 + timedelta(minutes=50)))
    now = T0 + timedelta(minutes=70)
    closed = register.close_idle_cases(now, timedelta(minutes=60))
    assert closed == [register.case_for_conversation("quiet").diarienummer]
    quiet = register.case_for_conversation("quiet")
    assert quiet.status == "closed" and quiet.closed_at == now
    assert register.case_for_conversation("busy").status == "open"
    # återkoppling waits for staff and is never closed automatically.
    with write_session(register.db) as session:
        move_case_by_number(session, register.case_for_conversation("busy").diarienummer,
                            Event.LEAVE_MESSAGE, Owner.BOT, at=now, by="chattbot")
    assert register.close_idle_cases(now + timedelta(days=1), timedelta(minutes=60)) == []


def test_list_filters(register: Register) -> None:
    day1 = datetime(2026, 11, 26, 22, 30, tzinfo=timezone.utc)  # 23:30 in Stockholm
    day2 = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 27th
    register.record_event(
        ev("user", "a", day1, "Öppettider på julafton?", intent="ask_opening_hours")
    )
    register.record_event(ev("user", "b", day2, "Vad är HiD?", intent="hid_what"))
    assert [c.conversation_id for c in register.list_cases(date_to=date(2026, 11, 26))] == ["a"]
    assert [c.conversation_id for c in register.list_cases(date_from=date(2026, 11, 27))] == ["b"]
    assert [c.conversation_id for c in register.search("ÖPPETTIDER")] == ["a"]
    assert [c.conversation_id for c in register.search("julafton")] == ["a"]
    assert [c.conversation_id for c in register.search("innovation")] == ["b"]  # subject
    assert [c.conversation_id for c in register.search("kc-2026-000002")] == ["b"]
    assert register.search("100%") == [] and register.search("_") == []
    assert len(register.list_cases(status="öppen")) == 2
    assert register.list_cases(status="avslutad") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "stängd"}, "Okänd status"),
        ({"text": "  "}, "Ange en söktext"),
        ({"text": "x" * 500}, "för lång"),
        ({"date_from": date(2026, 12, 1), "date_to": date(2026, 11, 1)}, "efter"),
    ],
)
def test_bad_query_input_gives_swedish_errors(register: Register, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        register.list_cases(**kwargs)


@pytest.mark.parametrize("bad", ["", "KC-26-1", "<script>", "KC-2026-00000x", "x" * 1000])
def test_bad_diarienummer(register: Register, bad: str) -> None:
    with pytest.raises(ValueError, match="Ogiltigt diarienummer"):
        register.get_case(bad)


def test_lowercase_diarienummer_accepted(register: Register) -> None:
    register.record_event(ev("user", "c1", T0, "hej"))
    assert register.get_case(" kc-2026-000001 ").case.diarienummer == "KC-2026-000001"
    assert register.get_case("KC-2026-000002") is None


def test_hostile_and_odd_events_are_handled(register: Register) -> None:
    assert register.record_event({}) is RecordOutcome.IGNORED
    assert (
        register.record_event({"event": "user", "text": "utan avsändare"}) is RecordOutcome.IGNORED
    )
    assert register.record_event("not a dict") is RecordOutcome.IGNORED  # type: ignore[arg-type]
    assert register.record_event(ev("action", "c1", T0)) is RecordOutcome.IGNORED
    nul = ev("user", "c1", T0, "hej\x00då\x07 <script>alert(1)</script>")
    assert register.record_event(nul) is RecordOutcome.OPENED
    huge = ev("user", "c1", T0 + timedelta(seconds=1), "å" * 100_000)
    assert register.record_event(huge) is RecordOutcome.RECORDED
    broken_time = {"sender_id": "c1", "event": "user", "text": "utan tid", "timestamp": "igår"}
    assert register.record_event(broken_time) is RecordOutcome.RECORDED
    empty = ev("user", "c1", T0 + timedelta(seconds=2), None, intent="hid_what")
    assert register.record_event(empty) is RecordOutcome.UPDATED
    detail = register.get_case("KC-2026-000001")
    assert detail.messages[0].text == "hejdå <script>alert(1)</script>"
    assert len(detail.messages[1].text) == 20_000
    assert detail.case.subject == "Fråga om Helsingborg Innovation District"
    with pytest.raises(ValueError, match="tidszon"):
        register.open_case("c2", datetime(2026, 11, 27, 9, 0))
    with pytest.raises(ValueError, match="saknas"):
        register.open_case("  ", T0)


def test_numbers_follow_the_stockholm_year(register: Register) -> None:
    new_year_eve = datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc)  # 23:59 local
    new_year = datetime(2026, 12, 31, 23, 1, tzinfo=timezone.utc)  # 00:01 local, 2027
    a = register.open_case("a", new_year_eve)
    b = register.open_case("b", new_year)
    c = register.open_case("c", new_year + timedelta(minutes=1))
    assert (a.diarienummer, b.diarienummer, c.diarienummer) == (
        "KC-2026-000001",
        "KC-2027-000001",
        "KC-2027-000002",
    )


def test_registers_share_one_database(sqlite_url: str) -> None:
    a, b = make_register(sqlite_url), make_register(sqlite_url)
    a.record_event(ev("user", "c1", T0, "hej"))
    assert b.record_event(ev("user", "c1", T0, "hej")) is RecordOutcome.DUPLICATE


def test_late_message_goes_to_the_case_running_at_its_time(register: Register) -> None:
    record_all(register, conversation("c1", T0, turns=1))
    second = T0 + timedelta(hours=2)
    register.record_event(ev("session_started", "c1", second))
    late = ev("user", "c1", T0 + timedelta(minutes=5), "sen fråga från spoolen")
    assert register.record_event(late) is RecordOutcome.RECORDED
    assert register.get_case("KC-2026-000001").case.message_count == 3
    assert register.get_case("KC-2026-000002").case.message_count == 0
    # A message after an idle close opens a new case instead of reopening the old one.
    register.close_idle_cases(second + timedelta(hours=2), timedelta(minutes=60))
    register.record_event(ev("user", "c1", second + timedelta(hours=3), "tillbaka"))
    assert register.case_for_conversation("c1").diarienummer == "KC-2026-000003"


def test_current_case_for_the_rasa_action(register: Register) -> None:
    """The action runs before Rasa publishes the turn's events: it opens the case itself."""
    assert register.current_case("c1") is None
    from_action = register.current_case("c1", T0.timestamp(), "socketio")
    assert from_action.diarienummer == "KC-2026-000001"
    record_all(register, conversation("c1", T0, turns=1))  # the broker catches up
    assert register.case_for_conversation("c1").diarienummer == "KC-2026-000001"
    assert register.get_case("KC-2026-000001").case.message_count == 2
    assert register.current_case("c1").diarienummer == "KC-2026-000001"


def test_session_start_then_notice_is_one_case_opened_at_the_start(register: Register) -> None:
    """action_session_start returns SessionStarted before its notice: one ärende."""
    started = ev("session_started", "c-notice", T0)
    notice = ev("bot", "c-notice", T0 + timedelta(microseconds=1), "Det du skriver sparas …")
    question = ev("user", "c-notice", T0 + timedelta(seconds=1), "öppettider?",
                  intent="ask_opening_hours")
    assert record_all(register, [started, notice, question])[0] is RecordOutcome.OPENED
    mine = [c for c in register.list_cases() if c.conversation_id == "c-notice"]
    assert len(mine) == 1, mine
    detail = register.get_case(mine[0].diarienummer)
    assert [m.sender_role for m in detail.messages] == ["chattbot", "invånare"]
    assert detail.case.registered_at == T0


def test_no_adoption_window_a_bot_message_before_the_session_is_not_taken_over(
    register: Register,
) -> None:
    """An ärende is opened once, at the session start; nothing is moved between cases."""
    record_all(register, [ev("bot", "c-early", T0, "hej")])
    record_all(register, [ev("session_started", "c-early", T0 + timedelta(seconds=1))])
    cases = sorted((c for c in register.list_cases() if c.conversation_id == "c-early"),
                   key=lambda c: c.diarienummer)
    assert [c.status for c in cases] == ["closed", "open"]
    assert cases[1].registered_at == T0 + timedelta(seconds=1)


def test_a_later_session_never_adopts_an_old_case(register: Register) -> None:
    record_all(register, [ev("bot", "c-late", T0, "hej"), ev("user", "c-late", T0, "x")])
    record_all(register, [ev("session_started", "c-late", T0 + timedelta(minutes=90))])
    assert len([c for c in register.list_cases() if c.conversation_id == "c-late"]) == 2
