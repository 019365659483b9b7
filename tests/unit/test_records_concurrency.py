"""50 conversations starting at once: distinct, consecutive numbers, no message lost (SQLite).

The same scenario runs against PostgreSQL in tests/integration/test_records_postgres.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kontaktcenter.records.models import CaseNumberCounter, Message
from kontaktcenter.records.recorder import is_transient
from tests.records_events import T0, conversation, make_register, run_concurrently

CONVERSATIONS = 50
TURNS = 3


def test_fifty_concurrent_conversations_on_sqlite(sqlite_url: str) -> None:
    register = make_register(sqlite_url)

    def record(event: dict) -> None:
        """As the recorder does: a transient error (SQLite still busy after its timeout on
        a loaded machine) is retried; the event key makes a retry harmless."""
        for attempt in range(20):
            try:
                register.record_event(event)
                return
            except Exception as exc:
                if not is_transient(exc) or attempt == 19:
                    raise

    def converse(i: int) -> None:
        for event in conversation(f"conv-{i:02d}", T0 + timedelta(milliseconds=i), TURNS):
            record(event)

    errors = run_concurrently(CONVERSATIONS, converse)
    assert errors == []
    cases = register.list_cases(limit=1000)
    numbers = sorted(c.diarienummer for c in cases)
    assert numbers == [f"KC-2026-{n:06d}" for n in range(1, CONVERSATIONS + 1)]
    assert len({c.conversation_id for c in cases}) == CONVERSATIONS
    for case in cases:
        detail = register.get_case(case.diarienummer)
        assert [m.seq for m in detail.messages] == list(range(1, 2 * TURNS + 1))
        assert detail.messages[0].text == f"fråga 0 från {case.conversation_id}"
    with register.db.session() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar() == (
            CONVERSATIONS * TURNS * 2
        )
        counter = session.execute(select(CaseNumberCounter)).scalar_one()
        assert (counter.year, counter.last_seq) == (2026, CONVERSATIONS)


def test_concurrent_open_of_the_same_session_gives_one_case(sqlite_url: str) -> None:
    register = make_register(sqlite_url)
    results: list[str] = []

    errors = run_concurrently(
        20, lambda i: results.append(register.open_case("same", T0, "rest").diarienummer)
    )
    assert errors == []
    assert set(results) == {"KC-2026-000001"}
    assert len(register.list_cases()) == 1
