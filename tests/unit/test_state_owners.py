"""Issue 9 and 12 defects around who moves an ärende (each failed before the fix)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kontaktcenter.handover import HandoverService, parse_contact
from kontaktcenter.records import Register
from tests.records_events import T0, ev


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + timedelta(seconds=10))


@pytest.fixture
def service(sqlite_url: str, clock: Clock) -> HandoverService:
    return HandoverService(sqlite_url, now=clock)


def _queued(register: Register, service: HandoverService, conversation: str = "c1"):  # type: ignore[no-untyped-def]
    register.record_event(ev("session_started", conversation, T0))
    number = register.case_for_conversation(conversation).diarienummer
    return number, service.request(conversation, diarienummer=number).handover


def test_the_queue_moves_the_register_in_the_same_unit_of_work(
    register: Register, service: HandoverService
) -> None:
    _number, handover = _queued(register, service)
    assert register.case_for_conversation("c1").status == "queued"
    service.take(handover.id, "anna", "Anna Andersson")
    case = register.case_for_conversation("c1")
    assert (case.status, case.handled_by) == ("with_agent", "Anna Andersson (anna)")
    service.hand_back(handover.id, "anna")
    assert register.case_for_conversation("c1").status == "back_to_bot"


def test_an_agent_message_recorded_after_the_close_leaves_it_closed(
    register: Register, service: HandoverService, clock: Clock
) -> None:
    number, handover = _queued(register, service)
    service.take(handover.id, "anna", "Anna Andersson")
    last_words = ev("bot", "c1", T0 + timedelta(seconds=20), "Tack, hej!",
                    metadata={"kc_agent": "Anna", "kc_agent_username": "anna"})
    clock.now = T0 + timedelta(seconds=21)
    service.close(handover.id, "anna", "Anna Andersson")
    closed = register.get_case(number).case
    assert closed.status == "closed" and closed.closed_at == clock.now
    register.record_event(last_words)  # the broker catches up after the console closed it
    after = register.get_case(number)
    assert after.case.status == "closed" and after.case.closed_at == clock.now
    assert after.messages[-1].text == "Tack, hej!"
    assert after.case.handled_by == "Anna Andersson (anna)"


def test_a_handled_callback_closes_its_arende_with_agent_date_and_note(
    register: Register, service: HandoverService, clock: Clock
) -> None:
    register.record_event(ev("session_started", "c1", T0))
    number = register.case_for_conversation("c1").diarienummer
    left = service.leave_callback("c1", "Hur söker jag bygglov?",
                                  parse_contact("070-123 45 67"), number)
    assert register.get_case(number).case.status == "follow_up"
    clock.now = T0 + timedelta(hours=20)
    service.mark_handled(left.id, "anna", "Ringde upp, klart.", "Anna Andersson")
    case = register.get_case(number).case
    assert (case.status, case.closed_at, case.handled_by) == (
        "closed", clock.now, "Anna Andersson (anna)")
    from sqlalchemy import select

    from kontaktcenter.records.models import Case

    with register.db.session() as session:
        note = session.execute(
            select(Case.closing_note).where(Case.diarienummer == number)
        ).scalar_one()
    assert note == "Ringde upp, klart."


def test_the_timeout_runs_once_with_two_runners_at_the_same_time(
    register: Register, sqlite_url: str, clock: Clock
) -> None:
    runners = [HandoverService(sqlite_url, now=clock) for _ in range(2)]
    numbers = []
    for i in range(6):
        number, _ = _queued(register, runners[0], f"c{i}")
        numbers.append(number)
    clock.now += timedelta(minutes=11)
    barrier = threading.Barrier(2)
    results: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = [h.id for h in runners[i].expire_waiting(timedelta(minutes=10))]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    told = results[0] + results[1]
    assert sorted(told) == sorted(set(told)) and len(told) == 6  # each resident told once
    assert {register.get_case(n).case.status for n in numbers} == {"open"}


def test_what_the_resident_writes_while_waiting_fills_in_galler(
    register: Register, service: HandoverService
) -> None:
    _queued_pair = _queued(register, service)
    assert service.queue()[0].concern == ""
    register.record_event(ev("user", "c1", T0 + timedelta(seconds=30),
                             "Min granne bygger utan bygglov, ring 070-123 45 67",
                             intent="nlu_fallback"))
    concern = service.queue()[0].concern
    assert concern.startswith("Min granne bygger utan bygglov")
    assert "070-123" not in concern  # masked, like the register


def test_search_counts_pages_and_finds_phone_numbers(register: Register) -> None:
    for i in range(5):
        start = T0 + timedelta(minutes=i)
        register.record_event(ev("session_started", f"s{i}", start))
        register.record_event(ev("user", f"s{i}", start + timedelta(seconds=1), f"fråga {i}"))
    register.record_event(ev("user", "s3", T0 + timedelta(minutes=3, seconds=5),
                             "ring mig på 070-123 45 67"))
    page = register.search_cases(text="fråga", limit=2)
    assert (page.total, len(page.cases), page.has_more) == (5, 2, True)
    last = register.search_cases(text="fråga", limit=2, offset=4)
    assert (len(last.cases), last.has_more) == (1, False)
    for query in ("0701234567", "+46 70 123 45 67", "070-123 45 67"):
        found = register.search_cases(text=query)
        assert [c.conversation_id for c in found.cases] == ["s3"], query


def test_migration_turns_swedish_statuses_into_codes(tmp_path: Path) -> None:
    from sqlalchemy import text

    from kontaktcenter.db import get_database
    from kontaktcenter.db.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0003_handover_staff")
    engine = get_database(url).engine
    at = datetime(2026, 11, 27, 9, tzinfo=timezone.utc).replace(tzinfo=None)
    with engine.begin() as c:
        for i, status in enumerate(["öppen", "hos kommunvägledare", "avslutad", "gallrad"]):
            c.execute(text(
                "INSERT INTO cases (diarienummer, year, seq, registered_at, sender, subject,"
                " subject_folded, topics, status, retention_category) VALUES"
                f" ('KC-2026-00000{i + 1}', 2026, {i + 1}, :at, 'x', 'y', 'y', '', :s, 'r')"
            ), {"at": at, "s": status})
        for status in ["i kö", "tillbaka hos chattbotten", "ingen hann svara"]:
            c.execute(text(
                "INSERT INTO handovers (conversation_id, concern, status, requested_at,"
                " queued_at, ended_by) VALUES ('c', '', :s, :at, :at, 'system')"
            ), {"at": at, "s": status})
    upgrade(url)
    with engine.connect() as c:
        cases = [r[0] for r in c.execute(text("SELECT status FROM cases ORDER BY id"))]
        handovers = [r[0] for r in c.execute(text("SELECT status FROM handovers ORDER BY id"))]
    assert cases == ["open", "with_agent", "closed", "disposed"]
    assert handovers == ["queued", "back_to_bot", "open"]
    downgrade(url, "0003_handover_staff")
    with engine.connect() as c:
        handovers = [r[0] for r in c.execute(text("SELECT status FROM handovers ORDER BY id"))]
    assert handovers == ["i kö", "tillbaka hos chattbotten", "ingen hann svara"]
    get_database(url).dispose()
