"""The register on PostgreSQL: migrations, concurrent numbering, broker outage and recovery.

Needs the server at KC_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
Fails, never skips, when it is unreachable. Each test runs in a schema of its own.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

import kontaktcenter.db.models  # noqa: F401  (the whole schema)
from kontaktcenter.db import Base, get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.records import RecordOutcome
from kontaktcenter.records.models import CaseNumberCounter, Message
from kontaktcenter.records.spool import Spool
from tests.records_events import T0, conversation, ev, make_register, run_concurrently

pytestmark = pytest.mark.postgres

def test_migrations_match_the_models(pg_schema: tuple[str, str]) -> None:
    url, _ = pg_schema
    upgrade(url)
    upgrade(url)  # idempotent
    with get_database(url).engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_fifty_concurrent_conversations_on_postgres(pg_schema: tuple[str, str]) -> None:
    url, _ = pg_schema
    upgrade(url)
    register = make_register(url)
    turns = 3

    def converse(i: int) -> None:
        for event in conversation(f"conv-{i:02d}", T0 + timedelta(milliseconds=i), turns):
            register.record_event(event)

    assert run_concurrently(50, converse) == []
    cases = register.list_cases(limit=1000)
    assert sorted(c.diarienummer for c in cases) == [f"KC-2026-{n:06d}" for n in range(1, 51)]
    for case in cases:
        detail = register.get_case(case.diarienummer)
        assert [m.seq for m in detail.messages] == list(range(1, 2 * turns + 1))
        assert detail.messages[0].text == f"fråga 0 från {case.conversation_id}"
    with register.db.session() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar() == 300
        assert session.execute(select(CaseNumberCounter.last_seq)).scalar() == 50

    same: list[str] = []
    assert (
        run_concurrently(
            20, lambda i: same.append(register.open_case("samma", T0, "rest").diarienummer)
        )
        == []
    )
    assert set(same) == {"KC-2026-000051"}


def test_register_features_on_postgres(pg_schema: tuple[str, str]) -> None:
    url, _ = pg_schema
    upgrade(url)
    register = make_register(url)
    register.record_event(ev("session_started", "c1", T0))
    register.record_event(
        ev(
            "user",
            "c1",
            T0 + timedelta(seconds=1),
            "ÖPPET på julafton? \x00 Ring 070-123 45 67",
            intent="ask_opening_hours",
        )
    )
    assert register.record_event(
        ev("user", "c1", T0 + timedelta(seconds=1), "ÖPPET på julafton? \x00 Ring 070-123 45 67")
    ) is (RecordOutcome.DUPLICATE)
    number = register.case_for_conversation("c1").diarienummer
    assert [c.diarienummer for c in register.search("öppet")] == [number]
    original = register.read_original(number, "Rita", "registrator", "test på PostgreSQL")
    assert "070-123 45 67" in original.messages[0].text
    assert "[telefonnummer borttaget]" in register.export_case(number, "html")
    register.close_idle_cases(T0 + timedelta(hours=2), timedelta(minutes=60))
    report = register.dispose(T0 + timedelta(days=3650))
    assert [i.diarienummer for i in report.items] == [number]
    assert register.get_case(number) is None


def _wait(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_broker_outage_on_postgres_spools_and_recovers(
    pg_schema: tuple[str, str], admin_engine, tmp_path: Path
) -> None:
    from rasa_addons.event_broker import RecordsEventBroker

    url, schema = pg_schema
    upgrade(url)
    spool_dir = tmp_path / "spool"
    broker = RecordsEventBroker(
        url=url, spool_dir=spool_dir, retry_seconds=0.1, close_interval_seconds=3600
    )
    try:
        events = conversation("pg", T0, 4)
        for event in events[:3]:
            broker.publish(event)
        assert broker.recorder.wait_idle(20)
        # The register's tables vanish (as if the database were away or read-only).
        with admin_engine.begin() as connection:
            connection.execute(text(f"ALTER SCHEMA {schema} RENAME TO {schema}_off"))
        try:
            for event in events[3:7]:
                broker.publish(event)
            assert broker.recorder.wait_idle(20)
            assert broker.recorder.backlog and Spool(spool_dir).count() >= 4
        finally:
            with admin_engine.begin() as connection:
                connection.execute(text(f"ALTER SCHEMA {schema}_off RENAME TO {schema}"))
        for event in events[7:] + events[:5]:  # the rest, plus duplicates
            broker.publish(event)
        assert broker.recorder.wait_drained(30)
    finally:
        asyncio.run(broker.close())
    register = make_register(url)
    detail = register.get_case("KC-2026-000001")
    assert [m.text for m in detail.messages] == [
        f"{kind} {i} {prep} pg"
        for i in range(4)
        for kind, prep in (("fråga", "från"), ("svar", "till"))
    ]
    assert len(register.list_cases()) == 1


def test_unreachable_postgres_spools_then_a_restart_writes_everything(
    pg_schema: tuple[str, str], tmp_path: Path
) -> None:
    from rasa_addons.event_broker import RecordsEventBroker

    url, _ = pg_schema
    upgrade(url)
    spool_dir = tmp_path / "spool"
    nowhere = "postgresql://postgres@127.0.0.1:1/test?connect_timeout=2"
    down = RecordsEventBroker(url=nowhere, spool_dir=spool_dir, retry_seconds=0.2)
    events = conversation("restart", T0, 3)
    for event in events:  # publish hands over and returns (tests/unit/test_event_broker.py)
        down.publish(event)
    assert down.recorder.wait_idle(20)
    assert Spool(spool_dir).count() == len(events)
    asyncio.run(down.close())

    up = RecordsEventBroker(url=url, spool_dir=spool_dir, retry_seconds=0.2)
    try:
        assert up.recorder.wait_drained(30)
    finally:
        asyncio.run(up.close())
    register = make_register(url)
    assert register.get_case("KC-2026-000001").case.message_count == 6
    assert _wait(lambda: not Spool(spool_dir).pending(), 20)


@pytest.fixture()
def sqlite_register_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    upgrade(url)
    yield url
    get_database(url).dispose()


def test_batches_on_postgres_match_single_events_and_replays_roll_back(
    pg_schema: tuple[str, str], tmp_path: Path, sqlite_register_url: str
) -> None:
    """One transaction per batch on PostgreSQL: same register as SQLite written one
    event at a time; a replayed batch aborts whole, and the drain's fallback keeps
    every message once."""
    from sqlalchemy.exc import IntegrityError

    from kontaktcenter.records.recorder import drain_spool
    from tests.records_events import mixed_events, register_dump

    url, _ = pg_schema
    upgrade(url)
    events = mixed_events()
    pg, reference = make_register(url), make_register(sqlite_register_url)
    for event in events:
        reference.record_event(event)
    pg.record_events(events[:5])
    with pytest.raises(IntegrityError):
        pg.record_events(events[3:])  # two replays at its start
    spool = Spool(tmp_path / "spool")
    spool.append_many(events)
    assert drain_spool(pg, tmp_path / "spool").complete
    assert register_dump(pg) == register_dump(reference)
