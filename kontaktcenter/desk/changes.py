"""What changed in the queue and the conversations since the last look, for pushing.

Residents' messages reach the register through Rasa's event broker and queue items come
from the action server: both are other processes, so the web process notices them by a
cheap look at the database (two small queries) and pushes the change to every open
console over server-sent events, instead of every browser polling Rasa every second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from kontaktcenter.db.engine import Database
from kontaktcenter.handover.models import HandoverRecord
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.states import HANDOVER_ACTIVE


@dataclass(frozen=True)
class Snapshot:
    """The active handovers (id -> status, assignment) and the newest message id."""

    handovers: tuple[tuple[int, str, str | None, str | None], ...] = ()
    last_message_id: int = 0


@dataclass(frozen=True)
class Changes:
    queue: bool = False
    # handover id -> the agent handling it, for conversations with new messages
    messages: dict[int, str | None] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return self.queue or bool(self.messages)


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
                       HandoverRecord.agent_username)
                .where(HandoverRecord.status.in_(active))
                .order_by(HandoverRecord.id)
            ).all()
            newest = session.execute(select(func.max(Message.id))).scalar()
        return Snapshot(tuple(tuple(r) for r in rows), int(newest or 0))

    def poll(self) -> Changes:
        """What changed since the previous call (nothing on the first call)."""
        now = self.snapshot()
        before, self.last = self.last, now
        if before is None:
            return Changes()
        changes = Changes(queue=now.handovers != before.handovers)
        if now.last_message_id > before.last_message_id:
            changes = Changes(changes.queue, self._conversations_with_messages_after(
                before.last_message_id, now.last_message_id))
        return changes

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
