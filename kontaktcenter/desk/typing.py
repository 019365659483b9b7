"""Typing indicators and queue places between the console and the resident's web chat.

Resident -> console: the web chat's socket (in the Rasa process) reports that the resident
is typing; :class:`ResidentSignals` stamps ``handovers.resident_typing_at`` of the
conversation's chat with an agent, at most once per ``THROTTLE_SECONDS`` per conversation
(a cheap conditional UPDATE, never for chats with the bot). When the resident ends the
conversation ("Avsluta och rensa samtalet": the widget asks the same socket for a new
one) it stamps ``resident_left_at``. The console's push watcher
(kontaktcenter.desk.changes) sees the stamps move and tells the handling agent.

Console -> resident: the console posts a :func:`signal` body to the socket channel's
authenticated route, which emits it to that conversation's room only. No signal carries
any text the resident or the agent wrote.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from kontaktcenter.clock import now_utc
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.handover.models import HandoverRecord
from kontaktcenter.records.states import HANDOVER_ACTIVE, State

logger = logging.getLogger(__name__)

THROTTLE_SECONDS = 2.0
# How long the console shows "Invånaren skriver…" after the last report (and the widget
# "… skriver"): a little longer than the senders' throttle, so it does not flicker.
SHOWN_SECONDS = 5.0
MAX_TRACKED = 10_000
MAX_NAME = 40
MAX_PLACE = 10_000

TYPING_EVENT = "kc_typing"  # socket.io event to the widget: {"agent": "Anna"} or {}
QUEUE_EVENT = "kc_queue"  # socket.io event to the widget: {"place": n}; 0 = no longer queued


class ResidentSignals:
    """Typing (throttled) and leaving, recorded for the chat's agent (Rasa process)."""

    def __init__(self, db: Database | str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._clock = clock
        self._last: dict[str, float] = {}

    def due(self, conversation_id: str) -> bool:
        """Whether a report for this conversation should reach the database now."""
        now = self._clock()
        last = self._last.get(conversation_id)
        if last is not None and now - last < THROTTLE_SECONDS:
            return False
        if len(self._last) >= MAX_TRACKED:  # forget the quiet ones; memory stays bounded
            self._last = {c: t for c, t in self._last.items() if now - t < THROTTLE_SECONDS}
        self._last[conversation_id] = now
        return True

    def record(self, conversation_id: str) -> bool:
        """Stamp the conversation's chat with an agent; False when there is none."""
        return self._stamp(conversation_id, (State.WITH_AGENT.value,),
                           resident_typing_at=now_utc())

    def left(self, conversation_id: str) -> bool:
        """The resident ended the conversation: its waiting or staffed chat is told."""
        return self._stamp(conversation_id, tuple(s.value for s in HANDOVER_ACTIVE),
                           resident_left_at=now_utc())

    def _stamp(self, conversation_id: str, statuses: tuple[str, ...], **values: Any) -> bool:
        db = self._db if isinstance(self._db, Database) else get_database(self._db)
        self._db = db
        with db.session() as session:
            result = session.execute(
                update(HandoverRecord)
                .where(HandoverRecord.conversation_id == conversation_id,
                       HandoverRecord.status.in_(statuses),
                       HandoverRecord.resident_left_at.is_(None))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)


def signal(body: Any) -> tuple[str, str, dict[str, Any]] | None:
    """(conversation id, socket.io event, payload) of a console signal, or None if invalid.

    ``{"conversation_id": "…", "typing": {"agent": "Anna"}}`` or
    ``{"conversation_id": "…", "queue": {"place": 2}}``.
    """
    if not isinstance(body, dict):
        return None
    conversation = body.get("conversation_id")
    if not isinstance(conversation, str) or not 0 < len(conversation) <= 255:
        return None
    typing = body.get("typing")
    if isinstance(typing, dict):
        agent = typing.get("agent")
        name = " ".join(agent.split())[:MAX_NAME] if isinstance(agent, str) else ""
        return conversation, TYPING_EVENT, ({"agent": name} if name else {})
    queue = body.get("queue")
    if isinstance(queue, dict):
        place = queue.get("place")
        if isinstance(place, int) and not isinstance(place, bool) and 0 <= place <= MAX_PLACE:
            return conversation, QUEUE_EVENT, {"place": place}
    return None
