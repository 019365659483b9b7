"""The threaded SQL tracker store stores, reads and publishes exactly as Rasa's does.

Rasa's ``SQLTrackerStore`` is the reference: the same turns are saved through both, and
the stored rows, the trackers read back and the events the broker got must agree.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons import tracker_store
from rasa_addons.tracker_store import ThreadedSQLTrackerStore

DOMAIN = Domain.from_dict({
    "intents": ["greet"],
    "slots": {"kc_topic": {"type": "any", "mappings": [{"type": "custom"}]}},
})


class Broker:
    """Records what the store publishes, one by one."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


class BatchBroker(Broker):
    """Like the records broker: a turn at once."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[dict[str, Any]]] = []

    def publish_many(self, events: list[dict[str, Any]]) -> None:
        self.batches.append(events)
        self.published.extend(events)


def turn(n: int, t: float) -> list:
    return [
        UserUttered(f"fråga {n}", {"name": "greet", "confidence": 0.9}, timestamp=t),
        SlotSet("kc_topic", f"ämne {n}", timestamp=t + 0.1),
        ActionExecuted("action_answer", timestamp=t + 0.2),
        BotUttered(f"svar {n}", timestamp=t + 0.3),
        ActionExecuted("action_listen", timestamp=t + 0.4),
    ]


async def run_conversation(store: SQLTrackerStore, sender: str) -> list[DialogueStateTracker]:
    """Three turns in one session, then a new session with one turn; saved after each."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    seen = []
    steps = [
        [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.1),
         ActionExecuted("action_listen", timestamp=1.2)],
        turn(1, 2.0), turn(2, 3.0), turn(3, 4.0),
        [ActionExecuted("action_session_start", timestamp=10.0), SessionStarted(timestamp=10.1),
         ActionExecuted("action_listen", timestamp=10.2)],
        turn(4, 11.0),
    ]
    for events in steps:
        stored = await store.retrieve(sender)
        if stored is not None:  # go on from what is stored, as the processor does
            tracker = stored
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        seen.append(tracker.copy())
    return seen


def rows(path: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in found]


@pytest.mark.parametrize("broker_class", [Broker, BatchBroker])
def test_same_rows_trackers_and_published_events_as_rasa(tmp_path: Path,
                                                         broker_class: type[Broker]) -> None:
    reference_broker, our_broker = Broker(), broker_class()
    reference = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"),
                                event_broker=reference_broker)
    ours = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"),
                                   event_broker=our_broker)

    async def both() -> None:
        await run_conversation(reference, "anna")
        await run_conversation(ours, "anna")
        for store in (reference, ours):
            assert await store.retrieve("okänd") is None
        latest = [await s.retrieve("anna") for s in (reference, ours)]
        full = [await s.retrieve_full_tracker("anna") for s in (reference, ours)]
        assert latest[0] is not None and latest[1] is not None
        assert list(latest[0].events) == list(latest[1].events)
        assert latest[1].get_slot("kc_topic") == "ämne 4"
        assert full[0] is not None and full[1] is not None
        assert list(full[0].events) == list(full[1].events)
        assert len(full[1].events) > len(latest[1].events)

    asyncio.run(both())
    assert rows(tmp_path / "ours.db") == rows(tmp_path / "rasa.db")
    assert our_broker.published == reference_broker.published
    assert [e["event"] for e in our_broker.published[:3]] == ["action", "session_started",
                                                               "action"]
    if isinstance(our_broker, BatchBroker):  # one call per save, never an empty one
        assert [len(b) for b in our_broker.batches] == [3, 5, 5, 5, 3, 5]
    stored = [json.loads(r[5]) for r in rows(tmp_path / "ours.db")]
    assert [e | {"sender_id": "anna"} for e in stored] == our_broker.published


def test_database_work_runs_off_the_event_loop(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    threads: list[str] = []
    real_scope = store.session_scope

    def scope():  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real_scope()

    monkeypatch.setattr(store, "session_scope", scope)

    async def go() -> None:
        tracker = DialogueStateTracker("bo", DOMAIN.slots)
        for event in turn(1, 1.0):
            tracker.update(event)
        await store.save(tracker)
        assert await store.retrieve("bo") is not None

    asyncio.run(go())
    assert len(threads) == 2
    assert threads[0].startswith("kc-tracker-write") and threads[1].startswith("kc-tracker-read")


def test_install_makes_type_sql_build_the_threaded_store(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.tracker_store as rasa_store
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(rasa_store, "SQLTrackerStore", rasa_store.SQLTrackerStore)
    tracker_store.install()
    tracker_store.install()  # idempotent
    config = EndpointConfig(type="SQL", dialect="sqlite", db=str(tmp_path / "x.db"))
    store = rasa_store.TrackerStore.create(config, DOMAIN)
    inner = getattr(store, "_tracker_store", store)
    assert type(inner) is ThreadedSQLTrackerStore


def test_a_sqlite_tracker_file_is_switched_to_wal(tmp_path: Path) -> None:
    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "w.db"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    store.engine.dispose()
    # WAL belongs to the file: a plain connection (the register's reconciliation) sees it.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_a_read_that_starts_during_a_save_sees_that_save(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The resident gate reads outside the conversation lock, right after socket.io has
    sent the bot's buttons and before the tracker is saved: it must see the buttons."""
    import threading

    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "r.db"))
    release = threading.Event()
    real_write, real_read = store._write, store._read
    order: list[str] = []

    def slow_write(tracker: DialogueStateTracker) -> None:
        assert release.wait(30)
        real_write(tracker)
        order.append("written")

    def read(sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        order.append("read")
        return real_read(sender_id, all_sessions)

    async def go() -> None:
        tracker = DialogueStateTracker("cia", DOMAIN.slots)
        for event in turn(1, 1.0):
            tracker.update(event)
        await store.save(tracker)
        tracker.update(BotUttered("Vill du lämna ett meddelande?", {
            "quick_replies": [{"title": "Ja", "payload": "/leave_message"}]}, timestamp=5.0))
        monkeypatch.setattr(store, "_write", slow_write)
        monkeypatch.setattr(store, "_read", read)
        saving = asyncio.ensure_future(store.save(tracker))
        await asyncio.sleep(0)  # let the save begin: it now waits for its thread
        reading = asyncio.ensure_future(store.retrieve("cia"))
        await asyncio.sleep(0)
        release.set()
        await saving
        found = await reading
        assert order == ["written", "read"]  # the read waited for the save
        assert found is not None and found.latest_bot_utterance is not None
        assert found.latest_bot_utterance.text == "Vill du lämna ett meddelande?"

    asyncio.run(go())


def test_a_turn_saved_in_parts_across_a_session_start_stores_each_event_once(
    tmp_path: Path,
) -> None:
    """The processor saves before answers are sent; a session that starts in that turn
    made Rasa's count-based diff store the bot's notice twice."""
    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker("parts", DOMAIN.slots)

    async def go() -> None:
        tracker.update(ActionExecuted("action_session_start", timestamp=1.0))
        tracker.update(BotUttered("tekniskt fel", timestamp=2.0))
        await store.save(tracker)  # the early save, before the notice is sent
        tracker.update(SessionStarted(timestamp=3.0))
        tracker.update(UserUttered("Hej", timestamp=4.0))
        await store.save(tracker)
        tracker.update(BotUttered("tekniskt fel", timestamp=5.0))
        await store.save(tracker)
        tracker.update(ActionExecuted("action_listen", timestamp=6.0))
        await store.save(tracker)

    asyncio.run(go())
    stored = [(r[1], r[2]) for r in rows(tmp_path / "t.db")]
    assert stored == [("action", 1.0), ("bot", 2.0), ("session_started", 3.0), ("user", 4.0),
                      ("bot", 5.0), ("action", 6.0)]


def test_incremental_reads_agree_with_rasa_whoever_writes_and_whatever_is_deleted(
    tmp_path: Path,
) -> None:
    """The latest session is read from the rows after the last one seen. Two servers on
    one database (each with its own cache), session starts with clocks out of step, rows
    deleted (disposal) or added by another server: every read equals Rasa's own."""
    import random

    path = tmp_path / "shared.db"
    one = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    two = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    rasa = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    rng = random.Random(7)
    senders = ["a", "b", "c"]
    clock = {"t": 1.0}

    def stamp() -> float:
        clock["t"] += 1.0
        return clock["t"] + rng.choice([0.0, 0.0, -5.5])  # now and then a late clock

    async def go() -> None:
        checked = 0
        for step in range(120):
            sender = rng.choice(senders)
            writer = rng.choice([one, two])
            tracker = await writer.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
            action = rng.random()
            if action < 0.15:
                for event in (ActionExecuted("action_session_start", timestamp=stamp()),
                              SessionStarted(timestamp=stamp()),
                              ActionExecuted("action_listen", timestamp=stamp())):
                    tracker.update(event)
            elif action < 0.22:  # rows of a conversation removed (disposal, by hand)
                with rasa.engine.begin() as conn:
                    conn.execute(sa.text(
                        "DELETE FROM events WHERE id IN (SELECT id FROM events "
                        "WHERE sender_id = :s ORDER BY id DESC LIMIT :n)"),
                        {"s": sender, "n": rng.randint(1, 8)})
                continue
            else:
                for event in turn(step, stamp()):
                    tracker.update(event)
            await writer.save(tracker)
            for reader in (one, two):
                for name in senders:
                    expected = await rasa.retrieve(name)
                    found = await reader.retrieve(name)
                    if expected is None:
                        assert found is None
                        continue
                    assert found is not None
                    assert [e.as_dict() for e in found.events] == [
                        e.as_dict() for e in expected.events], (step, name)
                    assert found.get_slot("kc_topic") == expected.get_slot("kc_topic")
                    checked += 1
        assert checked > 500

    asyncio.run(go())


def test_a_later_read_fetches_only_the_rows_after_the_last_one_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "n.db"))
    fetched: list[int] = []
    real_extended = tracker_store._Session.extended

    def extended(self, new):  # type: ignore[no-untyped-def]
        fetched.append(len(new))
        return real_extended(self, new)

    monkeypatch.setattr(tracker_store._Session, "extended", extended)

    async def go() -> None:
        tracker = DialogueStateTracker("long", DOMAIN.slots)
        for n in range(30):
            for event in turn(n, float(n + 1)):
                tracker.update(event)
            await store.save(tracker)
            found = await store.retrieve("long")
            assert found is not None
            assert [e.as_dict() for e in found.events] == [e.as_dict() for e in tracker.events]

    asyncio.run(go())
    assert fetched == [5] * 30  # each read parses this turn's rows, never the earlier ones
