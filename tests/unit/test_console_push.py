"""Push to the console: what changed in the database reaches the right open streams."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aiohttp.test_utils import TestClient
from test_console import FakeRasa, login, run

from kontaktcenter.desk.changes import ChangeWatcher
from kontaktcenter.handover import HandoverService
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
