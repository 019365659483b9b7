"""Nothing accepted is lost: short writes, a full disk, a crash mid-line, reconciliation."""

from __future__ import annotations

import errno
import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from test_event_broker import brokers, build, count_messages, rasa_session_start, rasa_turn  # noqa: F401

from kontaktcenter.records.ingestion import session_key_for
from kontaktcenter.records.models import Case
from kontaktcenter.records.reconcile import reconcile_with_tracker_store
from kontaktcenter.records.spool import ACTIVE, REJECTED, Spool, SpoolWriteError
from tests.records_events import T0, make_register

REAL_WRITE = os.write


def drained(spool: Spool) -> list[dict]:
    seen: list[dict] = []
    result = spool.drain(seen.append)
    assert result.complete
    return seen


def test_short_writes_still_give_whole_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", lambda fd, data: REAL_WRITE(fd, bytes(data[:7])))
    spool = Spool(tmp_path)
    for n in range(20):
        spool.append({"n": n, "text": "åäö " * n})
    monkeypatch.undo()
    assert [e["n"] for e in drained(spool)] == list(range(20))


def test_a_full_disk_raises_and_leaves_no_partial_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 0})
    size = (tmp_path / ACTIVE).stat().st_size

    def full(fd: int, data: bytes) -> int:
        if len(data) > 8:
            return REAL_WRITE(fd, bytes(data[:8]))  # part of the line fits ...
        raise OSError(errno.ENOSPC, "No space left on device")  # ... then the disk is full

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(SpoolWriteError) as failure:
        spool.append({"n": 1, "text": "får inte plats"})
    monkeypatch.undo()
    assert failure.value.errno == errno.ENOSPC
    assert (tmp_path / ACTIVE).stat().st_size == size
    spool.append({"n": 2})
    assert [e["n"] for e in drained(spool)] == [0, 2]
    assert not (tmp_path / REJECTED).exists()


def test_half_a_line_from_a_crash_does_not_swallow_the_next_event(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 0})
    with open(tmp_path / ACTIVE, "ab") as handle:
        handle.write(b'{"n": 1, "text": "avbr')  # the process died mid-write
    spool.append({"n": 2})
    assert [e["n"] for e in drained(spool)] == [0, 2]
    rejected = [json.loads(line) for line in (tmp_path / REJECTED).read_text().splitlines()]
    assert len(rejected) == 1 and '"n": 1' in rejected[0]["line"]


def wait_until(condition, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_when_the_spool_fails_the_broker_refuses_and_says_so_until_it_works(
    sqlite_url: str, tmp_path: Path, brokers: list  # noqa: F811
) -> None:
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    spool = broker.recorder.spool
    start = T0.timestamp()
    for event in rasa_session_start("d", start):
        broker.publish(event)
    assert broker.recorder.wait_drained(20) and broker.accepting()

    disk_full = SpoolWriteError(errno.ENOSPC, "No space left on device")

    def no_space(_: object) -> None:
        raise disk_full

    spool.append_many = no_space  # type: ignore[method-assign]  # append() goes through it
    spool.writable = lambda: False  # type: ignore[method-assign]
    for event in rasa_turn("d", start, 0):
        broker.publish(event)
    assert not broker.accepting()
    status = broker.status()
    assert not status.durable and status.spool_failures_total >= 1
    assert "No space left" in (status.last_error or "")
    # The database still works: what was accepted reaches the register, but the spool
    # is still broken, so the broker keeps refusing.
    assert wait_until(lambda: count_messages(sqlite_url) == (1, 2))
    assert broker.status().in_memory == 0 and not broker.accepting()

    del spool.append_many, spool.writable  # the disk has room again
    assert wait_until(broker.accepting), "not durable again after the disk recovered"
    for event in rasa_turn("d", start, 1):
        broker.publish(event)
    assert broker.recorder.wait_drained(20)
    texts = [m.text for m in make_register(sqlite_url).get_case("KC-2026-000001").messages]
    assert texts == ["meddelande 0", "svar 0", "meddelande 1", "svar 1"]


def test_neither_spool_nor_database_keeps_events_in_memory_in_order(
    sqlite_url: str, tmp_path: Path, brokers: list  # noqa: F811
) -> None:
    db_dir = Path(sqlite_url.removeprefix("sqlite:///")).parent
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    spool = broker.recorder.spool
    start = T0.timestamp()
    for event in rasa_session_start("m", start):
        broker.publish(event)
    assert broker.recorder.wait_drained(20)

    def no_space(_: object) -> None:
        raise SpoolWriteError(errno.ENOSPC, "No space left on device")

    offline = db_dir.with_name("db-offline")
    os.rename(db_dir, offline)
    spool.append_many = no_space  # type: ignore[method-assign]  # append() goes through it
    spool.writable = lambda: False  # type: ignore[method-assign]
    try:
        for n in range(3):
            for event in rasa_turn("m", start, n):
                broker.publish(event)
        assert broker.recorder.wait_idle(20)
        assert broker.status().in_memory == 12 and not broker.accepting()
    finally:
        os.rename(offline, db_dir)
    assert wait_until(lambda: broker.status().in_memory == 0)
    del spool.append_many, spool.writable
    assert broker.recorder.wait_drained(20) and wait_until(broker.accepting)
    texts = [m.text for m in make_register(sqlite_url).get_case("KC-2026-000001").messages]
    assert texts == [f"{kind} {n}" for n in range(3) for kind in ("meddelande", "svar")]


def _tracker_store_with(path: Path, sender: str, start: float, turns: int) -> str:
    """A real Rasa SQL tracker store holding one conversation; its URL."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    events = rasa_session_start(sender, start)
    for n in range(turns):
        events += rasa_turn(sender, start, n)
    tracker = DialogueStateTracker.from_events(
        sender, [Event.from_parameters(e) for e in events]
    )
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    asyncio.run(store.save(tracker))
    store.engine.dispose()
    return f"sqlite:///{path}"


def test_reconciliation_registers_what_only_the_tracker_store_has_exactly_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    start = T0.timestamp()
    tracker_url = _tracker_store_with(tmp_path / "tracker.db", "t", start, 4)
    register = make_register(sqlite_url)
    for event in rasa_session_start("t", start) + rasa_turn("t", start, 0):
        register.record_event(event)  # the register got the first turn only
    now = T0 + timedelta(hours=1)
    first = reconcile_with_tracker_store(register, tracker_url, now)
    assert first.scanned == 1 + 4 * 2 and first.written == 3 * 2
    again = reconcile_with_tracker_store(register, tracker_url, now)
    assert again.written == 0
    texts = [m.text for m in register.get_case("KC-2026-000001").messages]
    assert texts == [f"{kind} {n}" for n in range(4) for kind in ("meddelande", "svar")]
    assert count_messages(sqlite_url) == (1, 8)


def test_reconciliation_leaves_events_older_than_the_window_alone(
    sqlite_url: str, tmp_path: Path
) -> None:
    start = T0.timestamp()
    tracker_url = _tracker_store_with(tmp_path / "tracker.db", "old", start, 2)
    register = make_register(sqlite_url)
    result = reconcile_with_tracker_store(
        register, tracker_url, T0 + timedelta(days=3), timedelta(hours=24)
    )
    assert (result.scanned, result.written) == (0, 0)
    assert count_messages(sqlite_url) == (0, 0)


def test_the_broker_reconciles_at_start_in_the_background(
    sqlite_url: str, tmp_path: Path, brokers: list, kc_now  # noqa: F811
) -> None:
    # Rasa stamps tracker events with the real clock; the product clock (KC_NOW, as in
    # the end-to-end stacks) runs days ahead. The window is on Rasa's clock all the same.
    start = time.time() - 600
    kc_now(datetime.fromtimestamp(start + 3 * 86400, timezone.utc).isoformat())
    tracker_url = _tracker_store_with(tmp_path / "tracker.db", "b", start, 2)
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    broker.reconcile_with(tracker_url)
    assert broker.recorder.wait_drained(30)
    assert broker.status().reconciled_total == 1 + 2 * 2
    assert count_messages(sqlite_url) == (1, 4)


def test_reconciliation_takes_over_the_pending_case_of_action_session_start(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The spool was lost after action_session_start had opened the ärende (pending):
    reconciliation completes that ärende, with its number, instead of opening a second."""
    start = T0.timestamp()
    register = make_register(sqlite_url)
    opened = register.open_session_case("p", T0 - timedelta(seconds=1), "rest")
    tracker_url = _tracker_store_with(tmp_path / "tracker.db", "p", start, 3)
    result = reconcile_with_tracker_store(register, tracker_url, T0 + timedelta(hours=1))
    assert result.written == 1 + 3 * 2
    assert count_messages(sqlite_url) == (1, 6)
    case = register.case_for_conversation("p")
    assert case is not None and case.diarienummer == opened.diarienummer == "KC-2026-000001"
    texts = [m.text for m in register.get_case(opened.diarienummer).messages]
    assert texts == [f"{kind} {n}" for n in range(3) for kind in ("meddelande", "svar")]
    with register.db.session() as session:
        keys = list(session.scalars(select(Case.session_key)))
    assert keys == [session_key_for("p", T0)]  # claimed by its session, no longer pending
    assert reconcile_with_tracker_store(register, tracker_url, T0 + timedelta(hours=1)).written == 0
