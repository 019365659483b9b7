"""The handover queue: request, take over, hand back, transfer, close, time out; callbacks.

Plain Python over the database; the Rasa action queues ärenden, the console moves them.
Talking to Rasa (pause, resume, the agent's messages) is the caller's job, so every
transition here is a small, testable unit of work that refuses impossible moves with a
Swedish :class:`HandoverError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from kontaktcenter import clock
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.handover.contact import Contact, clean_question
from kontaktcenter.handover.models import CallbackRecord, HandoverRecord

QUEUED = "i kö"
WITH_AGENT = "hos kommunvägledare"
HANDED_BACK = "tillbaka hos chattbotten"
CLOSED = "avslutad"
TIMED_OUT = "ingen hann svara"
ACTIVE = (QUEUED, WITH_AGENT)

MAX_NOTE_CHARS = 2000


class HandoverError(ValueError):
    """A move that is not possible now (someone else took it, it is closed…)."""


def _utc_now() -> datetime:
    return clock.now_utc()


def _one_line(text: str | None, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


@dataclass(frozen=True)
class HandoverInfo:
    id: int
    conversation_id: str
    diarienummer: str | None
    channel: str | None
    concern: str
    status: str
    requested_at: datetime
    queued_at: datetime
    assigned_to: str | None
    agent_username: str | None
    agent_name: str | None
    taken_at: datetime | None
    ended_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def waited(self, now: datetime) -> timedelta:
        return max(now - self.queued_at, timedelta(0))


@dataclass(frozen=True)
class QueueTicket:
    handover: HandoverInfo
    place: int
    new: bool


@dataclass(frozen=True)
class CallbackInfo:
    id: int
    conversation_id: str
    diarienummer: str | None
    question: str
    contact_kind: str
    contact: str
    created_at: datetime
    handled_at: datetime | None
    handled_by: str | None
    note: str | None


def _info(row: HandoverRecord) -> HandoverInfo:
    return HandoverInfo(
        row.id, row.conversation_id, row.diarienummer, row.channel, row.concern, row.status,
        row.requested_at, row.queued_at, row.assigned_to, row.agent_username, row.agent_name,
        row.taken_at, row.ended_at,
    )


def _callback(row: CallbackRecord) -> CallbackInfo:
    return CallbackInfo(
        row.id, row.conversation_id, row.diarienummer, row.question, row.contact_kind,
        row.contact, row.created_at, row.handled_at, row.handled_by, row.note,
    )


class HandoverService:
    """Queue and callbacks in one database; each method is one unit of work."""

    def __init__(
        self, db: Database | str | None = None, now: Callable[[], datetime] = _utc_now
    ) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self._now = now

    # -- resident side (called by the Rasa action) --------------------------------------

    def request(
        self,
        conversation_id: str,
        *,
        diarienummer: str | None = None,
        channel: str | None = None,
        concern: str = "",
    ) -> QueueTicket:
        """Queue the conversation (idempotent while it is already queued or taken)."""
        conversation = _one_line(conversation_id, 255)
        if not conversation:
            raise HandoverError("Konversationens id saknas.")
        now = self._now()
        with write_session(self.db) as session:
            row = self._active(session, conversation)
            new = row is None
            if row is None:
                row = HandoverRecord(
                    conversation_id=conversation,
                    diarienummer=_one_line(diarienummer, 20) or None,
                    channel=_one_line(channel, 50) or None,
                    concern=_one_line(concern, 300),
                    status=QUEUED,
                    requested_at=now,
                    queued_at=now,
                )
                session.add(row)
                session.flush()
            return QueueTicket(_info(row), self._place(session, row), new)

    def active_for_conversation(self, conversation_id: str) -> HandoverInfo | None:
        with self.db.session() as session:
            row = self._active(session, _one_line(conversation_id, 255))
            return _info(row) if row else None

    def leave_callback(
        self, conversation_id: str, question: str, contact: Contact, diarienummer: str | None = None
    ) -> CallbackInfo:
        """A message left while closed (or after a timeout) for the callback list."""
        conversation = _one_line(conversation_id, 255)
        if not conversation:
            raise HandoverError("Konversationens id saknas.")
        row = CallbackRecord(
            conversation_id=conversation,
            diarienummer=_one_line(diarienummer, 20) or None,
            question=clean_question(question),
            contact_kind=contact.kind,
            contact=contact.value[:254],
            created_at=self._now(),
        )
        with self.db.session() as session:
            session.add(row)
            session.flush()
            return _callback(row)

    # -- console side -------------------------------------------------------------------

    def get(self, handover_id: int) -> HandoverInfo:
        with self.db.session() as session:
            return _info(self._row(session, handover_id))

    def queue(self, username: str | None = None) -> list[HandoverInfo]:
        """Waiting ärenden, oldest first: unassigned ones and those sent to ``username``."""
        stmt = select(HandoverRecord).where(HandoverRecord.status == QUEUED)
        with self.db.session() as session:
            rows = session.execute(stmt.order_by(HandoverRecord.queued_at)).scalars()
            return [
                _info(r) for r in rows if r.assigned_to is None or r.assigned_to == username
            ]

    def taken_by(self, username: str) -> list[HandoverInfo]:
        stmt = select(HandoverRecord).where(
            HandoverRecord.status == WITH_AGENT, HandoverRecord.agent_username == username
        )
        with self.db.session() as session:
            return [_info(r) for r in session.execute(stmt.order_by(HandoverRecord.taken_at))
                    .scalars()]

    def take(self, handover_id: int, username: str, agent_name: str) -> HandoverInfo:
        """Take a queued ärende; of two agents clicking at once, exactly one wins.

        ``write_session`` locks the row on PostgreSQL and takes SQLite's write lock
        before the read (BEGIN IMMEDIATE), so the status check cannot race.
        """
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            if row.status != QUEUED:
                raise HandoverError(self._why_not(row, "tas över"))
            if row.assigned_to not in (None, username):
                raise HandoverError("Ärendet är överlämnat till en annan kommunvägledare.")
            row.status, row.agent_username, row.agent_name = WITH_AGENT, username, agent_name
            row.taken_at, row.assigned_to = self._now(), None
            return _info(row)

    def require_agent(self, handover_id: int, username: str) -> HandoverInfo:
        """The ärende, if ``username`` is handling it now; else a Swedish refusal."""
        with self.db.session() as session:
            row = self._row(session, handover_id)
            self._check_agent(row, username)
            return _info(row)

    def hand_back(self, handover_id: int, username: str) -> HandoverInfo:
        return self._end(handover_id, username, HANDED_BACK)

    def close(self, handover_id: int, username: str) -> HandoverInfo:
        """Close an ärende one is handling, or one handed back to the bot earlier."""
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            if row.status not in (WITH_AGENT, HANDED_BACK):
                raise HandoverError(self._why_not(row, "avslutas"))
            if row.agent_username != username:
                raise HandoverError("Ärendet hanteras av en annan kommunvägledare.")
            row.status, row.ended_at, row.ended_by = CLOSED, self._now(), username
            return _info(row)

    def transfer(self, handover_id: int, username: str, to_username: str | None) -> HandoverInfo:
        """Back to the queue (``to_username`` None) or to a named colleague's queue."""
        target = _one_line(to_username, 100) or None
        if target == username:
            raise HandoverError("Välj en annan kollega än dig själv.")
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            self._check_agent(row, username)
            row.status, row.assigned_to, row.queued_at = QUEUED, target, self._now()
            row.agent_username = row.agent_name = row.taken_at = None
            return _info(row)

    def expire_waiting(self, timeout: timedelta) -> list[HandoverInfo]:
        """Queued ärenden that waited longer than ``timeout``: marked and returned."""
        limit = self._now() - timeout
        with self.db.session() as session:
            rows = session.execute(
                select(HandoverRecord)
                .where(HandoverRecord.status == QUEUED, HandoverRecord.queued_at <= limit)
                .with_for_update()
            ).scalars().all()
            for row in rows:
                row.status, row.ended_at, row.ended_by = TIMED_OUT, self._now(), "system"
            return [_info(r) for r in rows]

    def callbacks(self, include_handled: bool = False) -> list[CallbackInfo]:
        stmt = select(CallbackRecord).order_by(CallbackRecord.created_at)
        if not include_handled:
            stmt = stmt.where(CallbackRecord.handled_at.is_(None))
        with self.db.session() as session:
            return [_callback(r) for r in session.execute(stmt).scalars()]

    def mark_handled(self, callback_id: int, username: str, note: str) -> CallbackInfo:
        text = str(note or "").strip()
        if len(text) > MAX_NOTE_CHARS:
            raise HandoverError(f"Anteckningen är för lång (högst {MAX_NOTE_CHARS} tecken).")
        with self.db.session() as session:
            row = session.get(CallbackRecord, callback_id)
            if row is None:
                raise HandoverError("Meddelandet finns inte.")
            if row.handled_at is not None:
                raise HandoverError("Meddelandet är redan markerat som hanterat.")
            row.handled_at, row.handled_by, row.note = self._now(), username, text or None
            return _callback(row)

    # -- internals ----------------------------------------------------------------------

    def _end(self, handover_id: int, username: str, status: str) -> HandoverInfo:
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            self._check_agent(row, username)
            row.status, row.ended_at, row.ended_by = status, self._now(), username
            return _info(row)

    @staticmethod
    def _check_agent(row: HandoverRecord, username: str) -> None:
        if row.status != WITH_AGENT:
            raise HandoverError(HandoverService._why_not(row, "ändras"))
        if row.agent_username != username:
            raise HandoverError("Ärendet hanteras av en annan kommunvägledare.")

    @staticmethod
    def _why_not(row: HandoverRecord, what: str) -> str:
        if row.status == WITH_AGENT:
            return f"Ärendet har redan tagits över av {row.agent_name or 'en kollega'}."
        return f"Ärendet kan inte {what} nu (status: {row.status})."

    @staticmethod
    def _row(session, handover_id: int, lock: bool = False) -> HandoverRecord:  # type: ignore[no-untyped-def]
        stmt = select(HandoverRecord).where(HandoverRecord.id == handover_id)
        if lock:
            stmt = stmt.with_for_update()
        row = session.execute(stmt).scalar_one_or_none()
        if row is None:
            raise HandoverError("Ärendet finns inte i kön.")
        return row

    @staticmethod
    def _active(session, conversation: str) -> HandoverRecord | None:  # type: ignore[no-untyped-def]
        return session.execute(
            select(HandoverRecord)
            .where(HandoverRecord.conversation_id == conversation,
                   HandoverRecord.status.in_(ACTIVE))
            .order_by(HandoverRecord.requested_at.desc())
            .limit(1)
        ).scalar_one_or_none()

    @staticmethod
    def _place(session, row: HandoverRecord) -> int:  # type: ignore[no-untyped-def]
        if row.status != QUEUED:
            return 0
        ahead = session.execute(
            select(func.count())
            .select_from(HandoverRecord)
            .where(HandoverRecord.status == QUEUED, HandoverRecord.queued_at < row.queued_at)
        ).scalar()
        return int(ahead or 0) + 1
