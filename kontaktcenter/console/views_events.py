"""Server-sent events to the console: queue changes and new messages, pushed.

One background task per web process looks at the database every ``KC_DESK_PUSH_MS``
milliseconds (default 50; kontaktcenter.desk.changes) while a console is open, and hands
what changed to every open ``/console/api/events`` stream; with no console open it looks
once a second (:data:`IDLE_SECONDS`), enough for residents' queue places, instead of
twenty times (about a tenth of a core and 40 queries a second, at night too). Each
stream gets only what its agent may know: that the queue changed, which of the agent's
own conversations have new messages, and in which of them the resident is typing.
Residents whose place in the queue changed are told through Rasa (the web chat's
``kc_queue`` signal), so the place they see is live.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.state import STATE_KEY, ConsoleState
from kontaktcenter.desk.changes import Changes, ChangeWatcher
from kontaktcenter.rasa_client import RasaUnavailable

logger = logging.getLogger(__name__)

HUB_KEY = web.AppKey("kontaktcenter.console.event_hub", object)
KEEPALIVE_SECONDS = 15.0
RETRY_SECONDS = 5.0
IDLE_SECONDS = 1.0


class EventHub:
    """Fan-out of :class:`Changes` to the open streams (one asyncio queue each)."""

    def __init__(self) -> None:
        self.streams: set[asyncio.Queue[Changes | None]] = set()
        self.task: asyncio.Task[None] | None = None
        self.teller: asyncio.Task[None] | None = None
        self.opened = asyncio.Event()  # a stream opened: back to the fast pace at once

    def add(self, queue: asyncio.Queue[Changes | None]) -> None:
        self.streams.add(queue)
        self.opened.set()

    async def pause(self, every: float) -> None:
        """``every`` while a console watches; else up to IDLE_SECONDS, until one opens."""
        if self.streams:
            await asyncio.sleep(every)
            return
        self.opened.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.opened.wait(), max(every, IDLE_SECONDS))

    def publish(self, changes: Changes) -> None:
        for queue in list(self.streams):
            if queue.qsize() < 100:  # a stuck browser must not grow memory
                queue.put_nowait(changes)

    def close(self) -> None:
        """End every stream (server shutdown: handlers must not hold it up)."""
        for queue in list(self.streams):
            queue.put_nowait(None)


def _interval(env: dict[str, str] | None = None) -> float:
    raw = (os.environ if env is None else env).get("KC_DESK_PUSH_MS") or "50"
    try:
        return min(max(int(raw), 20), 5000) / 1000
    except ValueError:
        return 0.05


class PlaceTeller:
    """Tells residents their new place in the queue (0: no longer queued), in order,
    without ever holding up the watcher: changes wait here, the latest per resident."""

    def __init__(self, console: ConsoleState) -> None:
        self.console = console
        self.pending: dict[str, int] = {}
        self.wake = asyncio.Event()

    def tell(self, places: dict[str, int]) -> None:
        self.pending.update(places)
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            places, self.pending = self.pending, {}
            unsent = list(places.items())
            while unsent:
                conversation, place = unsent[0]
                try:
                    await self.console.rasa.signal(conversation, queue={"place": place})
                except RasaUnavailable:
                    logger.warning("Queue places could not be sent (Rasa unavailable); "
                                   "retrying in %s s.", RETRY_SECONDS)
                    # Keep what is still to say, unless a newer place came meanwhile.
                    self.pending = {**dict(unsent), **self.pending}
                    await asyncio.sleep(RETRY_SECONDS)
                    self.wake.set()
                    break
                unsent.pop(0)


async def _watch(hub: EventHub, watcher: ChangeWatcher, every: float,
                 teller: PlaceTeller | None = None) -> None:
    while True:
        try:
            # Always, so a stream that opens finds a baseline taken before it.
            changes = await asyncio.to_thread(watcher.poll)
            if changes.any:
                hub.publish(changes)
            if changes.places and teller is not None:
                teller.tell(changes.places)
        except Exception:
            logger.exception("Console push check failed (retrying in %s s).", RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)  # a database that is away is not hammered
        await hub.pause(every)


def _sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    """The console's event stream: ``queue`` and ``messages`` (ids of the agent's chats)."""
    hub = request.app[HUB_KEY]
    assert isinstance(hub, EventHub)
    me = account(request).username
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
    })
    await response.prepare(request)
    queue: asyncio.Queue[Changes | None] = asyncio.Queue()
    hub.add(queue)
    try:
        await response.write(b"retry: 2000\n\n" + _sse("ready", {}))
        while True:
            try:
                changes = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            if changes is None:
                break
            if changes.queue:
                await response.write(_sse("queue", {}))
            mine = sorted(h for h, agent in changes.messages.items() if agent == me)
            if mine:
                await response.write(_sse("messages", {"handovers": mine}))
            typing = sorted(h for h, agent in changes.typing.items() if agent == me)
            if typing:
                await response.write(_sse("typing", {"handovers": typing}))
    except ConnectionResetError:
        pass  # the browser went away
    finally:
        hub.streams.discard(queue)
    return response


def setup(app: web.Application) -> None:
    """The hub, its route and the background watcher (started and stopped with the app)."""
    hub = EventHub()
    app[HUB_KEY] = hub
    app.router.add_get("/console/api/events", events)

    async def _start(app: web.Application) -> None:
        console = app[STATE_KEY]
        watcher = ChangeWatcher(console.register.db)
        teller = PlaceTeller(console)
        hub.teller = asyncio.create_task(teller.run())
        hub.task = asyncio.create_task(_watch(hub, watcher, _interval(), teller))

    async def _shutdown(app: web.Application) -> None:
        hub.close()

    async def _stop(app: web.Application) -> None:
        for task in (hub.task, hub.teller):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # aiosignal 1.4's types do not fit aiohttp 3.9's signals (same as console/__init__.py).
    app.on_startup.append(_start)  # type: ignore[arg-type]
    app.on_shutdown.append(_shutdown)  # type: ignore[arg-type]
    app.on_cleanup.insert(0, _stop)  # type: ignore[arg-type]
