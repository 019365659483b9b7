"""What changed in the queue and the conversations since the last look, for pushing.

Residents' messages reach the register through Rasa's event broker and queue items come
from the action server: both are other processes, so the web process notices them by a
cheap look at the database (two small queries) and pushes the change to every open
console over server-sent events, instead of every browser polling Rasa every second.
The same look finds residents typing in a chat with an agent (the socket channel stamps
the handover row) and residents whose place in the queue changed (told to their widget).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from kontaktcenter.db.engine import Database
from kontaktcenter.handover.models import HandoverRecord
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.states import HANDOVER_ACTIVE, State


@dataclass(frozen=True)
class Snapshot:
    """The active handovers (id -> status, assignment), the newest message id, when each
    chat's resident was last seen typing, and the queue's conversations in order."""

    handovers: tuple[tuple[int, str, str | None, str | None], ...] = ()
    last_message_id: int = 0
    typing: dict[int, tuple[datetime, str | None]] = field(default_factory=dict)
    queued: tuple[str, ...] = ()
    left: dict[int, str | None] = field(default_factory=dict)  # residents who left


@dataclass(frozen=True)
class Changes:
    queue: bool = False
    # handover id -> the agent handling it, for conversations with new messages
    messages: dict[int, str | None] = field(default_factory=dict)
    # handover id -> the agent handling it, for chats whose resident is typing
    typing: dict[int, str | None] = field(default_factory=dict)
    # conversation id -> place in the queue (1 = first; 0 = no longer queued), changed
    places: dict[str, int] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return self.queue or bool(self.messages) or bool(self.typing) or bool(self.places)


def queue_places(before: tuple[str, ...] | None, now: tuple[str, ...]) -> dict[str, int]:
    """Residents whose place changed: new places, and 0 for those who left the queue.

    ``before`` None (the first look): everyone waiting is told their place.
    """
    old = {c: i + 1 for i, c in enumerate(before or ())}
    new = {c: i + 1 for i, c in enumerate(now)}
    changed = {c: p for c, p in new.items() if old.get(c) != p}
    changed.update({c: 0 for c in old if c not in new})
    return changed


class ChangeWatcher:
    """Compares snapshots of the database; one instance per web process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.last: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        active = [s.value for s in HANDOVER_ACTIVE]
        with self.db.session() as session:
            rows = session.execute(
                select(HandoverRecord.id, HandoverRecord.status, HandoverRecord.assigned_to,
                       HandoverRecord.agent_username, HandoverRecord.resident_typing_at,
                       HandoverRecord.conversation_id, HandoverRecord.queued_at,
                       HandoverRecord.resident_left_at)
                .where(HandoverRecord.status.in_(active))
                .order_by(HandoverRecord.id)
            ).all()
            newest = session.execute(select(func.max(Message.id))).scalar()
        typing = {
            int(r.id): (r.resident_typing_at, r.agent_username) for r in rows
            if r.resident_typing_at is not None and r.status == State.WITH_AGENT.value
        }
        # The queue's order (as HandoverService._place counts it).
        waiting = sorted((r for r in rows if r.status == State.QUEUED.value),
                         key=lambda r: (r.queued_at, r.id))
        left = {int(r.id): r.agent_username for r in rows if r.resident_left_at is not None}
        return Snapshot(tuple((r.id, r.status, r.assigned_to, r.agent_username) for r in rows),
                        int(newest or 0), typing, tuple(r.conversation_id for r in waiting),
                        left)

    def poll(self) -> Changes:
        """What changed since the previous call (nothing on the first call)."""
        now = self.snapshot()
        before, self.last = self.last, now
        if before is None:
            return Changes(places=queue_places(None, now.queued))
        messages: dict[int, str | None] = {}
        if now.last_message_id > before.last_message_id:
            messages = self._conversations_with_messages_after(
                before.last_message_id, now.last_message_id)
        # A resident who left: the agent's conversation page looks again, as for a message.
        messages.update({hid: agent for hid, agent in now.left.items() if hid not in before.left})
        typing = {
            hid: agent for hid, (at, agent) in now.typing.items()
            if before.typing.get(hid, (None, None))[0] != at
        }
        return Changes(now.handovers != before.handovers, messages, typing,
                       queue_places(before.queued, now.queued))

    def _conversations_with_messages_after(self, after: int, upto: int) -> dict[int, str | None]:
        active = [s.value for s in HANDOVER_ACTIVE]
        with self.db.session() as session:
            rows = session.execute(
                select(HandoverRecord.id, HandoverRecord.agent_username)
                .join(Case, Case.diarienummer == HandoverRecord.diarienummer)
                .join(Message, Message.case_id == Case.id)
                .where(Message.id > after, Message.id <= upto,
                       HandoverRecord.status.in_(active))
                .distinct()
            ).all()
        return {int(hid): agent for hid, agent in rows}
