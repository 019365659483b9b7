"""Rasa's SQL tracker store without its two per-message costs in the event loop.

Rasa 3.6's ``SQLTrackerStore`` (endpoints ``tracker_store: {type: SQL}``) calls
SQLAlchemy synchronously inside its async ``retrieve``/``save``: every database round
trip and the deserialisation of the conversation stop every other resident's message.
And with an event broker each ``save`` first reads the whole conversation back
(``stream_events``) only to count the events already stored, then counts them again
in SQL before inserting the new ones.

:class:`ThreadedSQLTrackerStore` does the same work in a small thread pool, and counts
once: the events after the stored ones are handed to the broker (all at once when it
has ``publish_many``: the register's spool then syncs once per turn, not per event)
and then inserted. A SQLite tracker file is switched to WAL (docs/performance.md).
The order of Rasa's own ``save`` is kept: durable in the broker
first, then in the tracker table. Rasa's lock store still lets only one message per
conversation through at a time, so no two threads touch one conversation at once.

:func:`install` (called when the records event broker is created, which Rasa does
before the tracker store) makes endpoints' ``type: SQL`` build this class.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import rasa.core.tracker_store as rasa_tracker_store
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

THREADS = 4  # reads at once, and writes at once
CACHED_CONVERSATIONS = 512  # latest sessions kept (stored JSON) per process; least recent go
CACHED_EVENTS = 2_000  # a session longer than this is read from the database every time
T = TypeVar("T")


@dataclass(frozen=True)
class _Session:
    """What one conversation's latest session looked like at its last read.

    ``rows`` holds the stored JSON of the events Rasa's query would return (timestamp
    at or after the latest ``session_started``, or all when there is none), in row order;
    ``seen`` counts the conversation's rows up to ``last_id``, so rows deleted (disposal)
    or committed late below ``last_id`` are noticed and the session is read in full."""

    last_id: int
    seen: int
    start: float | None
    rows: tuple[tuple[float | None, str], ...]

    def extended(self, new: list[tuple[int, str, float | None, str]]) -> _Session:
        """This session with the rows ``(id, type_name, timestamp, data)`` after it added."""
        start = self.start
        rows = list(self.rows)
        for _id, type_name, stamp, data in new:
            if type_name == SessionStarted.type_name and stamp is not None and (
                start is None or stamp > start
            ):
                start = stamp
            rows.append((stamp, data))
        if start is not None:  # Rasa: timestamp >= the latest session start (NULL never)
            rows = [row for row in rows if row[0] is not None and row[0] >= start]
        return _Session(new[-1][0] if new else self.last_id, self.seen + len(new), start,
                        tuple(rows))


class ThreadedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose database work runs off the event loop, counted once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sqlite = self.engine.dialect.name == "sqlite"
        # Reads never wait behind writes (with WAL they never wait for SQLite's lock).
        self._reads = ThreadPoolExecutor(THREADS, thread_name_prefix="kc-tracker-read")
        self._writes = ThreadPoolExecutor(THREADS, thread_name_prefix="kc-tracker-write")
        self._saving: dict[str, asyncio.Future[None]] = {}
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._sessions_lock = threading.Lock()
        if sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_wal)
            with self.engine.connect() as connection:  # WAL is a property of the file
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    async def _off_loop(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(fn, *args))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session (as Rasa's), read in a worker thread."""
        await self._saved(sender_id)
        return await self._off_loop(self._reads, self._read, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """The tracker with all sessions (as Rasa's), read in a worker thread."""
        await self._saved(conversation_id)
        return await self._off_loop(self._reads, self._read, conversation_id, True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Publish the new events, then store them (as Rasa's), in a worker thread."""
        loop = asyncio.get_running_loop()
        pending = loop.run_in_executor(self._writes, self._write, tracker)
        self._saving[tracker.sender_id] = pending
        try:
            await pending
        finally:
            if self._saving.get(tracker.sender_id) is pending:
                del self._saving[tracker.sender_id]

    async def _saved(self, sender_id: str) -> None:
        """Wait for a save of this conversation that has begun (its outcome aside).

        Rasa's own save never yields, so a read that starts after a save has begun sees
        it. Readers outside the conversation lock rely on that: the resident gate looks
        up the buttons of the bot's last message, which socket.io (and the HTTP API's
        side effects) sends *before* the tracker is saved."""
        pending = self._saving.get(sender_id)
        if pending is not None:
            await asyncio.wait({pending})

    def _read(self, sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        """``SQLTrackerStore._retrieve`` without the coroutine around it.

        The latest session is read incrementally: only rows after the last one this
        process has seen are fetched and parsed (a 40-message conversation is ~250 rows,
        re-read and re-parsed on every message before). Any other server may have added
        rows meanwhile (several Rasa servers, the HTTP API); they are the new rows."""
        if all_sessions:
            with self.session_scope() as session:
                rows = self._event_query(session, sender_id, True).all()
                events = [json.loads(row.data) for row in rows]
        else:
            events = self._latest_session(sender_id)
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _latest_session(self, sender_id: str) -> list[dict[str, Any]]:
        """The latest session's events, as Rasa's query returns them (fresh dicts).

        A row whose JSON does not parse fails here as in Rasa's own read."""
        with self._sessions_lock:
            known = self._sessions.get(sender_id)
        table = self.SQLEvent.__table__
        columns = (table.c.id, table.c.type_name, table.c.timestamp, table.c.data)
        with self.session_scope() as session:
            if known is not None:
                seen = session.execute(
                    sa.select(sa.func.count()).select_from(table).where(
                        table.c.sender_id == sender_id, table.c.id <= known.last_id)
                ).scalar_one()
                if seen != known.seen:  # rows went away or came late: read it all again
                    known = None
            after = known.last_id if known is not None else -1
            new = [tuple(row) for row in session.execute(
                sa.select(*columns).where(table.c.sender_id == sender_id, table.c.id > after)
                .order_by(table.c.id)
            )]
        base = known or _Session(-1, 0, None, ())
        current = base.extended(new) if new else base  # type: ignore[arg-type]
        if current.rows and len(current.rows) <= CACHED_EVENTS:
            with self._sessions_lock:
                stored = self._sessions.get(sender_id)
                if stored is None or stored.last_id <= current.last_id:
                    self._sessions[sender_id] = current
                self._sessions.move_to_end(sender_id)
                while len(self._sessions) > CACHED_CONVERSATIONS:
                    self._sessions.popitem(last=False)
        # Parsed anew for each tracker (one C call): nothing Rasa changes in one tracker's
        # events can leak into the next.
        return json.loads("[" + ",".join(data for _stamp, data in current.rows) + "]")

    def _write(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            # Rasa's stream_events re-read the stored tracker for this offset; it is the
            # same number of events _additional_events counts here.
            new_events = list(self._additional_events(session, tracker))
            if self.event_broker is not None:
                self._publish(new_events, tracker.sender_id)
            rows = []
            for event in new_events:
                data = event.as_dict()
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(
                        INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:  # one executemany: each database call waits for the GIL again
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """The tracker's events not stored yet, found by content, not by count.

        Rasa counts the stored events since the last session start and takes the tracker's
        events after that many. When a turn is saved in parts (rasa_addons/processor.py
        saves before an answer is sent) and the session starts in that same turn, the
        count and the in-memory list disagree and events were stored twice (a bot notice
        twice in the tracker, once in the register). Comparing the stored rows' data with
        the candidates never stores an event twice."""
        # Rasa's count gives the candidates (usually just this turn's events); only the
        # stored rows from the earliest candidate on are read to weed out repeats.
        events = list(super()._additional_events(session, tracker))
        stamps = [e.timestamp for e in events if e.timestamp is not None]
        if not events or not stamps:
            return iter(events)
        table = self.SQLEvent.__table__
        stored = {
            _identity(json.loads(data)) for data in session.execute(
                sa.select(table.c.data).where(
                    table.c.sender_id == tracker.sender_id, table.c.timestamp >= min(stamps)
                )
            ).scalars()
        }
        return (e for e in events if _identity(e.as_dict()) not in stored)

    def _publish(self, events: list[Event], sender_id: str) -> None:
        """What Rasa's ``_stream_new_events`` publishes, in one call when possible."""
        bodies = [{"sender_id": sender_id, **event.as_dict()} for event in events]
        if not bodies:
            return
        publish_many = getattr(self.event_broker, "publish_many", None)
        if publish_many is not None:
            publish_many(bodies)
            return
        for body in bodies:
            self.event_broker.publish(body)  # type: ignore[union-attr]


def _identity(data: dict[str, Any]) -> tuple[Any, ...]:
    """What tells two stored events apart: type, stamp, and name, text or value."""
    return (
        data.get("event"), data.get("timestamp"), data.get("name"), data.get("text"),
        json.dumps(data.get("value"), sort_keys=True, default=str),
    )


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """WAL with ``synchronous=NORMAL``: a commit writes the log without waiting for the disk.

    The register's durability does not rest on this file: every event is fsynced into
    the register's spool before the tracker is written (``_write``). WAL keeps the
    file consistent whatever happens and loses nothing when a process crashes; only an
    operating-system crash or power cut can lose the last turns of Rasa's conversation
    state here (never a registered message). Reads never wait for a write."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def install() -> None:
    """Make endpoints' ``tracker_store: {type: SQL}`` build the threaded store (idempotent)."""
    if rasa_tracker_store.SQLTrackerStore is not ThreadedSQLTrackerStore:
        rasa_tracker_store.SQLTrackerStore = ThreadedSQLTrackerStore  # type: ignore[misc]
