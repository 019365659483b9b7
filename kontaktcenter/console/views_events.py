"""Server-sent events to the console: queue changes and new messages, pushed.

One background task per web process looks at the database every ``KC_DESK_PUSH_MS``
milliseconds (default 50; kontaktcenter.desk.changes) and hands what changed to every
open ``/console/api/events`` stream. Each stream gets only what its agent may know:
that the queue changed, and which of the agent's own conversations have new messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.state import STATE_KEY
from kontaktcenter.desk.changes import Changes, ChangeWatcher

logger = logging.getLogger(__name__)

HUB_KEY = web.AppKey("kontaktcenter.console.event_hub", object)
KEEPALIVE_SECONDS = 15.0
RETRY_SECONDS = 5.0


class EventHub:
    """Fan-out of :class:`Changes` to the open streams (one asyncio queue each)."""

    def __init__(self) -> None:
        self.streams: set[asyncio.Queue[Changes | None]] = set()
        self.task: asyncio.Task[None] | None = None

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


async def _watch(hub: EventHub, watcher: ChangeWatcher, every: float) -> None:
    while True:
        try:
            # Always, so a stream that opens finds a baseline taken before it.
            changes = await asyncio.to_thread(watcher.poll)
            if changes.any:
                hub.publish(changes)
        except Exception:
            logger.exception("Console push check failed (retrying in %s s).", RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)  # a database that is away is not hammered
        await asyncio.sleep(every)


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
    hub.streams.add(queue)
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
        watcher = ChangeWatcher(app[STATE_KEY].register.db)
        hub.task = asyncio.create_task(_watch(hub, watcher, _interval()))

    async def _shutdown(app: web.Application) -> None:
        hub.close()

    async def _stop(app: web.Application) -> None:
        if hub.task is not None:
            hub.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hub.task

    # aiosignal 1.4's types do not fit aiohttp 3.9's signals (same as console/__init__.py).
    app.on_startup.append(_start)  # type: ignore[arg-type]
    app.on_shutdown.append(_shutdown)  # type: ignore[arg-type]
    app.on_cleanup.insert(0, _stop)  # type: ignore[arg-type]
