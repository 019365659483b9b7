"""Start-up reconciliation of the register with Rasa's tracker store.

Every event Rasa publishes is spooled before it counts as accepted, but events from
before that guarantee existed, or a spool lost with its disk, can still be missing from
the register while the conversation is in the tracker store. At start the recorder
reads the recent events of Rasa's SQL tracker store (its ``events`` table, read with
plain SQL) and writes, oldest first, those the register lacks. Writing is idempotent,
so each event lands exactly once however often this runs.

The window (default 24 h) must stay shorter than the shortest retention period, so that
a case disposed of by gallring is never brought back from the tracker store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.future import create_engine

from kontaktcenter.records.ingestion import session_key_for
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.rasa_events import event_key, event_time
from kontaktcenter.records.register import Register
from kontaktcenter.records.text import one_line

logger = logging.getLogger(__name__)

# Tracker events whose absence loses part of the ärende. Pause, resume and slot events
# change a case's state and are not replayed: an old pause must not re-queue a case.
RECONCILED_KINDS = ("session_started", "user", "bot")
DEFAULT_WINDOW = timedelta(hours=24)
_BATCH = 500

_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


@dataclass
class ReconcileResult:
    scanned: int = 0  # tracker events in the window that the register keeps
    written: int = 0  # of those, missing from the register and written now
    unreadable: int = 0  # rows whose data is not a JSON object (left alone, logged)


def tracker_events(tracker_url: str, since: datetime) -> Iterator[dict[str, Any]]:
    """Events of Rasa's SQL tracker store from ``since`` on, in the order Rasa stored them.

    Each is the dict Rasa's event broker publishes: ``{"sender_id": ..., **event}``.
    """
    engine = create_engine(tracker_url, future=True)
    stmt = (
        select(_EVENTS.c.sender_id, _EVENTS.c.data)
        .where(
            _EVENTS.c.type_name.in_(RECONCILED_KINDS),
            _EVENTS.c.timestamp >= since.timestamp(),
        )
        .order_by(_EVENTS.c.id)
    )
    try:
        with engine.connect() as connection:
            for sender_id, data in connection.execute(stmt):
                try:
                    event = json.loads(data or "")
                except ValueError:
                    event = None
                if not isinstance(event, dict):
                    yield {"sender_id": sender_id, "event": None}
                    continue
                yield {"sender_id": sender_id, **event}
    finally:
        engine.dispose()


def _identity(event: Mapping[str, Any]) -> tuple[str, str]:
    """('case', session key) for a session start, ('message', event key) otherwise."""
    if event.get("event") == "session_started":
        conversation = one_line(str(event.get("sender_id") or ""), 255)
        return "case", session_key_for(conversation, event_time(event))
    return "message", event_key(event)


def _missing(register: Register, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of one batch that the register does not hold yet."""
    keys = [_identity(event) for event in events]
    case_keys = [key for kind, key in keys if kind == "case"]
    message_keys = [key for kind, key in keys if kind == "message"]
    with register.db.session() as session:
        known = set(
            session.scalars(select(Case.session_key).where(Case.session_key.in_(case_keys)))
        ) | set(
            session.scalars(select(Message.event_key).where(Message.event_key.in_(message_keys)))
        )
    return [event for event, (_, key) in zip(events, keys, strict=True) if key not in known]


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def reconcile(
    register: Register,
    events: Iterable[dict[str, Any]],
    write: Callable[[dict[str, Any]], object] | None = None,
) -> ReconcileResult:
    """Write every event of ``events`` the register lacks, in the given order.

    ``write`` defaults to ``register.record_event``; a database error propagates (the
    caller retries later; what was written stays written).
    """
    write = write or register.record_event
    result = ReconcileResult()
    for batch in _batches(events, _BATCH):
        readable = [event for event in batch if event.get("event") in RECONCILED_KINDS]
        result.unreadable += len(batch) - len(readable)
        result.scanned += len(readable)
        for event in _missing(register, readable):
            write(event)
            result.written += 1
    if result.unreadable:
        logger.error("Reconciliation: %d tracker rows could not be read.", result.unreadable)
    return result


def reconcile_with_tracker_store(
    register: Register,
    tracker_url: str,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    write: Callable[[dict[str, Any]], object] | None = None,
) -> ReconcileResult:
    """Reconcile the register with the tracker store's events of the last ``window``.

    ``now`` is on the tracker store's timeline: Rasa stamps its events with the real
    clock (:func:`kontaktcenter.clock.rasa_timestamp`), not the product clock, so a
    product clock moved ahead by ``KC_NOW`` must not push every event out of the window.
    """
    return reconcile(register, tracker_events(tracker_url, now - window), write)
