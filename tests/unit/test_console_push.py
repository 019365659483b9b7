"""Push to the console: what changed in the database reaches the right open streams."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from test_console import FakeRasa, login, run, token_in

from kontaktcenter.console import views_events
from kontaktcenter.desk.changes import ChangeWatcher, queue_places
from kontaktcenter.desk.typing import ResidentSignals
from kontaktcenter.handover import HandoverService
from kontaktcenter.rasa_client import RasaUnavailable
from kontaktcenter.records import get_register
from kontaktcenter.staff import StaffDirectory
from tests.records_events import ev

T = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)


def test_the_watcher_reports_queue_changes_and_chats_with_new_messages(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        watcher = ChangeWatcher(handover.db)
        assert not watcher.poll().any  # the first look only sets the baseline
        case = register.open_case("c1", T)
        ticket = handover.request("c1", diarienummer=case.diarienummer)
        changes = watcher.poll()
        assert changes.queue and changes.messages == {}
        assert not watcher.poll().any
        handover.take(ticket.handover.id, "anna", "Anna Andersson")
        assert watcher.poll().queue
        register.record_event(ev("user", "c1", T + timedelta(seconds=1), "Hallå?"))
        register.record_event(ev("user", "other", T + timedelta(seconds=1), "Inte i kön"))
        changes = watcher.poll()
        assert changes.messages == {ticket.handover.id: "anna"} and not changes.queue

    run(tmp_path, scenario)


async def _next_event(stream, deadline: float = 10.0) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The next server-sent event (name, data), keep-alive comments skipped."""
    name, data = "", ""

    async def read() -> tuple[str, str]:
        nonlocal name, data
        while True:
            line = (await stream.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]
            elif line == "" and name:
                return name, data

    return await asyncio.wait_for(read(), deadline)


def test_the_stream_pushes_queue_changes_and_only_the_agents_own_messages(
    tmp_path: Path,
) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        await login(client)  # anna
        stream = await client.get("/console/api/events")
        assert stream.status == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert await _next_event(stream) == ("ready", "{}")
        mine = register.open_case("mine", T)
        theirs = register.open_case("theirs", T)
        ticket = handover.request("mine", diarienummer=mine.diarienummer)
        assert (await _next_event(stream))[0] == "queue"
        other = handover.request("theirs", diarienummer=theirs.diarienummer)
        handover.take(ticket.handover.id, "anna", "Anna Andersson")
        handover.take(other.handover.id, "bo", "Bo Berg")
        # A message in bo's chat is not anna's business; hers is pushed, by id.
        await asyncio.to_thread(register.record_event,
                                ev("user", "theirs", T + timedelta(seconds=2), "Till Bo"))
        await asyncio.to_thread(register.record_event,
                                ev("user", "mine", T + timedelta(seconds=3), "Till Anna"))
        others = []
        while (event := await _next_event(stream))[0] != "messages":
            others.append(event[0])
        assert json.loads(event[1]) == {"handovers": [ticket.handover.id]}
        assert set(others) <= {"queue"}
        stream.close()

    run(tmp_path, scenario)


def test_queue_places_name_new_places_and_those_who_left() -> None:
    assert queue_places(None, ("a", "b")) == {"a": 1, "b": 2}
    assert queue_places(("a", "b"), ("a", "b")) == {}
    assert queue_places(("a", "b", "c"), ("b", "c", "d")) == {"a": 0, "b": 1, "c": 2, "d": 3}


def test_the_watcher_reports_typing_residents_and_queue_places(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        watcher = ChangeWatcher(handover.db)
        typing = ResidentSignals(handover.db)
        first = handover.request("c1")
        assert watcher.poll().places == {"c1": 1}  # the first look tells everyone waiting
        handover.request("c2")
        assert watcher.poll().places == {"c2": 2}
        assert typing.record("c2") is False  # queued, with nobody yet: nothing recorded
        assert watcher.poll().typing == {}
        handover.take(first.handover.id, "anna", "Anna Andersson")
        assert watcher.poll().places == {"c1": 0, "c2": 1}  # c2 moved up, c1 left the queue
        assert typing.record("c1") is True
        changes = watcher.poll()
        assert changes.typing == {first.handover.id: "anna"} and not changes.queue
        assert not watcher.poll().any  # reported once per new stamp
        assert typing.left("c1") is True  # the resident ended the web chat
        assert watcher.poll().messages == {first.handover.id: "anna"}  # her page looks again
        assert typing.left("c1") is False  # once
        assert handover.get(first.handover.id).resident_left_at is not None

    run(tmp_path, scenario)


def test_the_resident_typing_is_throttled_per_conversation() -> None:
    now = [100.0]
    typing = ResidentSignals("sqlite://", clock=lambda: now[0])
    assert typing.due("c1") and not typing.due("c1") and typing.due("c2")
    now[0] += 2.0
    assert typing.due("c1")


def test_typing_and_queue_places_reach_the_right_people(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        await login(client)  # anna
        page = await (await client.get("/console")).text()
        stream = await client.get("/console/api/events")
        assert await _next_event(stream) == ("ready", "{}")
        mine = handover.request("mine")
        assert (await _next_event(stream))[0] == "queue"  # each step seen on its own
        theirs = handover.request("theirs")
        assert (await _next_event(stream))[0] == "queue"
        handover.take(mine.handover.id, "anna", "Anna Andersson")
        assert (await _next_event(stream))[0] == "queue"
        handover.take(theirs.handover.id, "bo", "Bo Berg")
        assert (await _next_event(stream))[0] == "queue"
        typing = ResidentSignals(handover.db)
        await asyncio.to_thread(typing.record, "theirs")
        await asyncio.to_thread(typing.record, "mine")
        while (event := await _next_event(stream))[0] != "typing":
            pass
        assert json.loads(event[1]) == {"handovers": [mine.handover.id]}  # never bo's chat
        stream.close()

        # The residents were told their places as the queue moved, by conversation.
        async def told() -> list[tuple[str, int]]:
            return [(s["conversation_id"], s["queue"]["place"]) for s in rasa.signals
                    if "queue" in s]
        for _ in range(100):  # the watcher runs every 50 ms; at most 10 s
            if ("theirs", 0) in await told():
                break
            await asyncio.sleep(0.1)
        places = await told()
        assert [p for c, p in places if c == "mine"] == [1, 0]
        assert [p for c, p in places if c == "theirs"] == [2, 1, 0]

        # The agent typing: the resident's widget is signalled, with the first name only.
        csrf = token_in(page)
        typed = await client.post(f"/console/handover/{mine.handover.id}/typing",
                                  headers={"X-CSRF-Token": csrf})
        assert typed.status == 200
        assert rasa.signals[-1] == {"conversation_id": "mine", "typing": {"agent": "Anna"}}
        refused = await client.post(f"/console/handover/{theirs.handover.id}/typing",
                                    headers={"X-CSRF-Token": csrf})
        assert refused.status == 403 and rasa.signals[-1]["conversation_id"] == "mine"

    run(tmp_path, scenario)


def test_queue_places_wait_for_rasa_and_the_latest_place_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa away: nothing is lost, a newer place replaces an unsent one, order is kept."""
    monkeypatch.setattr(views_events, "RETRY_SECONDS", 0.01)
    sent: list[tuple[str, int]] = []
    failures = [1]

    class Rasa:
        async def signal(self, conversation: str, **what: dict[str, int]) -> None:
            if failures[0]:
                failures[0] -= 1
                raise RasaUnavailable("borta")
            sent.append((conversation, what["queue"]["place"]))

    class Console:
        rasa = Rasa()

    async def main() -> None:
        teller = views_events.PlaceTeller(Console())  # type: ignore[arg-type]
        task = asyncio.create_task(teller.run())
        teller.tell({"a": 2, "b": 3})
        await asyncio.sleep(0)
        teller.tell({"a": 1})
        for _ in range(200):
            if len(sent) >= 2:
                break
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(main())
    assert sent == [("a", 1), ("b", 3)]


def test_the_watcher_looks_often_only_while_a_console_watches() -> None:
    """No console open: about once a second (queue places still reach residents); a
    stream that opens brings the fast pace back at once, without waiting out the second."""
    from kontaktcenter.desk.changes import Changes

    class Counting:
        polls = 0

        def poll(self) -> Changes:
            Counting.polls += 1
            return Changes()

    async def scenario() -> tuple[int, int]:
        hub = views_events.EventHub()
        task = asyncio.create_task(views_events._watch(hub, Counting(), 0.01))  # type: ignore[arg-type]
        await asyncio.sleep(0.5)
        idle = Counting.polls
        hub.add(asyncio.Queue())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while Counting.polls < idle + 20:  # a 10 ms pace: twenty more polls come quickly
            assert loop.time() < deadline
            await asyncio.sleep(0.01)
        task.cancel()
        return idle, Counting.polls

    idle, watched = asyncio.run(scenario())
    assert 1 <= idle <= 2, idle  # 50 at the fast pace
    assert watched >= idle + 20
