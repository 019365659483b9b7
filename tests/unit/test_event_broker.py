"""RecordsEventBroker with real Rasa events: recording, outage -> spool -> recovery.

No Rasa server: the broker is built the way Rasa builds it (from an EndpointConfig)
and fed the dicts Rasa's tracker store publishes (``{"sender_id": …} | as_dict()``).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import func, select

from kontaktcenter.records import recorder as recorder_module
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.spool import Spool
from rasa_addons.event_broker import RecordsEventBroker
from tests.records_events import T0, make_register


def build(url: str | None, spool_dir: Path, **kwargs: object) -> RecordsEventBroker:
    config = EndpointConfig(
        url=url,
        type="rasa_addons.event_broker.RecordsEventBroker",
        spool_dir=str(spool_dir),
        retry_seconds=kwargs.pop("retry_seconds", 0.1),
        close_interval_seconds=kwargs.pop("close_interval_seconds", 3600),
        **kwargs,
    )
    broker = asyncio.run(RecordsEventBroker.from_endpoint_config(config))
    assert isinstance(broker, RecordsEventBroker)
    return broker


@pytest.fixture()
def brokers() -> Iterator[list[RecordsEventBroker]]:
    made: list[RecordsEventBroker] = []
    yield made
    for broker in made:
        asyncio.run(broker.close())


def rasa_turn(sender: str, start: float, n: int, agent: str | None = None) -> list[dict]:
    """What Rasa publishes for one exchange: actions, the user message, the bot reply."""
    t = start + 10 * n
    metadata = {"kc_agent": agent} if agent else {}
    events = [
        UserUttered(
            f"meddelande {n}",
            intent={"name": "ask_opening_hours", "confidence": 0.9},
            parse_data={
                "intent": {"name": "ask_opening_hours", "confidence": 0.9},
                "entities": [],
                "text": f"meddelande {n}",
            },
            input_channel="rest",
            timestamp=t + 1,
        ),
        ActionExecuted("utter_hours", timestamp=t + 2),
        BotUttered(f"svar {n}", metadata=metadata, timestamp=t + 3),
        ActionExecuted("action_listen", timestamp=t + 4),
    ]
    return [{"sender_id": sender, **e.as_dict()} for e in events]


def rasa_session_start(sender: str, start: float) -> list[dict]:
    events = [
        ActionExecuted("action_session_start", timestamp=start - 0.5),
        SessionStarted(timestamp=start),
        ActionExecuted("action_listen", timestamp=start + 0.5),
    ]
    return [{"sender_id": sender, **e.as_dict()} for e in events]


def count_messages(url: str) -> tuple[int, int]:
    register = make_register(url)
    with register.db.session() as session:
        cases = session.execute(select(func.count()).select_from(Case)).scalar()
        messages = session.execute(select(func.count()).select_from(Message)).scalar()
    return cases, messages


def test_published_events_end_up_in_the_register(
    sqlite_url: str, tmp_path: Path, brokers: list
) -> None:
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    assert broker.is_ready()
    start = T0.timestamp()
    for sender in ("a", "b", "c"):
        for event in rasa_session_start(sender, start):
            broker.publish(event)
        for n in range(3):
            for event in rasa_turn(sender, start, n):
                broker.publish(event)
    broker.publish({"sender_id": "a", **ConversationPaused(timestamp=start + 100).as_dict()})
    for event in rasa_turn("a", start + 100, 0, agent="Anna"):
        broker.publish(event)
    assert broker.recorder.wait_drained(20)
    register = make_register(sqlite_url)
    case = register.case_for_conversation("a")
    assert case.diarienummer == "KC-2026-000001"
    detail = register.get_case(case.diarienummer)
    texts = [(m.sender_role, m.text) for m in detail.messages]
    assert texts[:2] == [("invånare", "meddelande 0"), ("chattbot", "svar 0")]
    assert texts[-1] == ("kommunvägledare", "svar 0")
    # Recording never moves the ärende (only the handover's owners do) and names the agent.
    assert detail.case.status == "open" and detail.messages[-1].sender_name == "Anna"
    assert count_messages(sqlite_url) == (3, 3 * 6 + 2)


def test_publish_makes_each_event_durable_at_once_and_never_raises(
    tmp_path: Path, brokers: list
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    # The database cannot even be created: every event must still be on disk at once.
    broker = build(f"sqlite:///{blocker}/kc.db", tmp_path / "spool")
    brokers.append(broker)
    spool = Spool(tmp_path / "spool")
    for n in range(200):
        broker.publish(
            {
                "sender_id": "x",
                "event": "user",
                "timestamp": 1.0 + n,
                "text": f"hej {n}",
                "metadata": {"odd": {1, 2}, "obj": object()},
            }
        )
        if n % 50 == 0:  # on disk when publish returns (waiting, or already set aside)
            assert len(on_disk(tmp_path / "spool")) >= n + 1
    broker.publish("inte en händelse")  # type: ignore[arg-type]
    assert broker.recorder.wait_idle(20)
    assert on_disk(tmp_path / "spool") == {f"hej {n}" for n in range(200)}
    assert spool.count() + spool_rejected(tmp_path / "spool") >= 200
    assert broker.accepting() and broker.status().durable


def on_disk(directory: Path) -> set[str]:
    """Every test message found in any spool file: waiting or set aside as rejected."""
    found: set[str] = set()
    for path in directory.rglob("*.jsonl"):
        found |= set(re.findall(r"hej \d+", path.read_text("utf-8", errors="replace")))
    return found


def spool_rejected(directory: Path) -> int:
    rejected = directory / "rejected.jsonl"
    return len(rejected.read_text("utf-8").splitlines()) if rejected.exists() else 0


def test_publish_returns_while_a_database_write_hangs(
    sqlite_url: str, tmp_path: Path, brokers: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publish() runs in Rasa's event loop: it must hand over, never wait for the database."""
    writing, release = threading.Event(), threading.Event()

    def held_register(url: str | None):
        register = make_register(url)
        real_record = register.record_event

        def record_event(event):
            writing.set()
            release.wait()  # the database "hangs" until the test lets it go
            return real_record(event)

        register.record_event = record_event
        return register

    monkeypatch.setattr(recorder_module, "_make_register", held_register)
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    start = T0.timestamp()
    events = rasa_session_start("h", start) + [
        e for n in range(30) for e in rasa_turn("h", start, n)
    ]
    broker.publish(events[0])
    assert writing.wait(30), "the worker never started writing"

    publisher = threading.Thread(target=lambda: [broker.publish(e) for e in events[1:]])
    publisher.start()
    publisher.join(60)  # a guard against a hang, not a speed limit
    still_waiting = publisher.is_alive()
    release.set()
    publisher.join()
    assert not still_waiting, "publish() waited for the hanging database write"
    assert broker.recorder.wait_drained(30)
    assert count_messages(sqlite_url) == (1, 60)


def watch_drains(broker: RecordsEventBroker, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each attempt of the worker to write the spool to the database."""
    attempts: list[object] = []
    spool = broker.recorder.spool
    real_drain = spool.drain

    def drain(*args, **kwargs):
        result = real_drain(*args, **kwargs)
        attempts.append(result)
        return result

    monkeypatch.setattr(spool, "drain", drain)
    return attempts


def wait_until(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def test_outage_mid_conversation_spools_and_recovers_without_duplicates(
    sqlite_url: str, tmp_path: Path, brokers: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_dir = Path(sqlite_url.removeprefix("sqlite:///")).parent
    spool_dir = tmp_path / "spool"
    broker = build(sqlite_url, spool_dir)
    brokers.append(broker)
    start = T0.timestamp()
    before = rasa_session_start("r", start) + rasa_turn("r", start, 0)
    during = rasa_turn("r", start, 1) + rasa_turn("r", start, 2)
    after = rasa_turn("r", start, 3)
    for event in before:
        broker.publish(event)
    assert broker.recorder.wait_idle(20)
    assert count_messages(sqlite_url) == (1, 2)

    offline = db_dir.with_name("db-offline")
    os.rename(db_dir, offline)  # the database disappears mid-conversation
    try:
        for event in during + before[-2:]:  # a resent event too
            broker.publish(event)
        assert broker.recorder.wait_idle(20)
        assert broker.recorder.backlog
        spool = Spool(spool_dir)
        assert spool.count() >= len(during)
        # Retries fail while the database is away; nothing is lost meanwhile.
        attempts = watch_drains(broker, monkeypatch)
        assert wait_until(lambda: len(attempts) >= 2), "no retry while the database was away"
        assert spool.count() >= len(during)
    finally:
        os.rename(offline, db_dir)  # the database is back

    for event in after + during[:3]:  # more chat, plus duplicates of spooled events
        broker.publish(event)
    assert broker.recorder.wait_drained(20), "spool not drained after recovery"
    assert not Spool(spool_dir).pending()
    register = make_register(sqlite_url)
    detail = register.get_case("KC-2026-000001")
    assert [m.text for m in detail.messages] == [
        f"{kind} {n}" for n in range(4) for kind in ("meddelande", "svar")
    ]
    assert count_messages(sqlite_url) == (1, 8)


def test_spool_from_a_previous_run_is_written_at_start(
    sqlite_url: str, tmp_path: Path, brokers: list
) -> None:
    spool = Spool(tmp_path / "spool")
    for event in rasa_session_start("p", T0.timestamp()) + rasa_turn("p", T0.timestamp(), 0):
        spool.append(event)
    broker = build(sqlite_url, tmp_path / "spool")
    brokers.append(broker)
    assert broker.recorder.wait_drained(20)
    assert count_messages(sqlite_url) == (1, 2)


def test_idle_cases_are_closed_in_the_background(
    sqlite_url: str, tmp_path: Path, brokers: list
) -> None:
    broker = build(sqlite_url, tmp_path / "spool", idle_minutes=1, close_interval_seconds=0.2)
    brokers.append(broker)
    old = (T0 - timedelta(hours=2)).timestamp()
    for event in rasa_session_start("idle", old) + rasa_turn("idle", old, 0):
        broker.publish(event)
    register = make_register(sqlite_url)

    def closed():
        case = register.case_for_conversation("idle")
        return case is not None and case.status == "closed" and case.closed_at is not None

    assert wait_until(closed), register.case_for_conversation("idle")


def test_close_flushes_queued_events(sqlite_url: str, tmp_path: Path) -> None:
    broker = build(sqlite_url, tmp_path / "spool")
    start = T0.timestamp()
    for n in range(20):
        for event in rasa_turn("f", start, n):
            broker.publish(event)
    asyncio.run(broker.close())
    assert not broker.is_ready()
    assert count_messages(sqlite_url) == (1, 40)
    broker.publish(rasa_turn("f", start, 99)[0])  # after close: spooled, not lost
    assert Spool(tmp_path / "spool").count() == 1


@pytest.mark.parametrize(
    "bad", [{"idle_minutes": 0}, {"retry_seconds": "snart"}, {"queue_size": -5}]
)
def test_bad_configuration_is_refused(tmp_path: Path, bad: dict) -> None:
    with pytest.raises(ValueError, match="event_broker"):
        RecordsEventBroker(url="sqlite://", spool_dir=tmp_path, **bad)


def test_rasa_creates_the_broker_and_the_tracker_store_feeds_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The way Rasa wires it: endpoints.yml -> EventBroker.create -> tracker store save."""
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "event_broker:\n"
        "  type: rasa_addons.event_broker.RecordsEventBroker\n"
        f"  url: {sqlite_url}\n"
        f"  spool_dir: {tmp_path / 'spool'}\n"
        "  idle_minutes: 60\n",
        encoding="utf-8",
    )

    async def scenario() -> RecordsEventBroker:
        config = read_endpoint_config(str(endpoints), "event_broker")
        broker = await EventBroker.create(config)
        assert isinstance(broker, RecordsEventBroker)
        store = InMemoryTrackerStore(Domain.empty(), event_broker=broker)
        start = T0.timestamp()
        tracker = DialogueStateTracker.from_events(
            "web-1",
            [
                ActionExecuted("action_session_start", timestamp=start),
                SessionStarted(timestamp=start + 0.1),
                ActionExecuted("action_listen", timestamp=start + 0.2),
                UserUttered(
                    "Vad är mitt ärendenummer?", timestamp=start + 1, input_channel="socketio"
                ),
            ],
        )
        await store.save(tracker)
        tracker.update(BotUttered("Ditt ärendenummer är KC-2026-000001.", timestamp=start + 2))
        await store.save(tracker)
        return broker

    broker = asyncio.run(scenario())
    try:
        assert broker.recorder.wait_drained(20)
        detail = make_register(sqlite_url).get_case("KC-2026-000001")
        assert detail.case.channel == "socketio"
        assert [m.sender_role for m in detail.messages] == ["invånare", "chattbot"]
    finally:
        asyncio.run(broker.close())
