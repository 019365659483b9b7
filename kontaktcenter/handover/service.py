"""The handover queue: request, take over, hand back, transfer, close, time out; callbacks.

Plain Python over the database; the Rasa action queues ärenden, the console moves them.
Talking to Rasa (pause, resume, the agent's messages) is the caller's job. Every move is
a transition of :mod:`kontaktcenter.records.states`, applied to the handover row and to
its ärende in the register in one unit of work, and refused with a Swedish
:class:`HandoverError` when the table does not allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kontaktcenter.clock import now_utc
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.handover.contact import Contact, clean_question
from kontaktcenter.handover.models import CallbackRecord, HandoverRecord
from kontaktcenter.records.lifecycle import move_case_by_number
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.rasa_events import agent_label
from kontaktcenter.records.states import (
    HANDOVER_ACTIVE,
    Event,
    Owner,
    State,
    TransitionRefused,
    label,
    transition,
)
from kontaktcenter.records.vocabulary import ROLE_RESIDENT

if TYPE_CHECKING:  # kontaktcenter.desk.presence reads the handover table
    from kontaktcenter.desk.presence import Routing

QUEUED = State.QUEUED.value
WITH_AGENT = State.WITH_AGENT.value
BACK_TO_BOT = State.BACK_TO_BOT.value
CLOSED = State.CLOSED.value
TIMED_OUT = State.OPEN.value  # the bot answers again; ended_by "system" says why
ACTIVE = tuple(s.value for s in HANDOVER_ACTIVE)
SYSTEM = "system"

MAX_NOTE_CHARS = 2000


class HandoverError(ValueError):
    """A move that is not possible now (someone else took it, it is closed…)."""


class HandoverNotFound(HandoverError, LookupError):
    """No handover with that id (the console answers 404)."""


class NoAgentAvailable(HandoverError):
    """Nobody can take a chat now; the resident is told and offered the message form."""


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
    resident_left_at: datetime | None = None  # ended the web chat ("Avsluta och rensa")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def status_label(self) -> str:
        return label(self.status)

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
        row.taken_at, row.ended_at, row.resident_left_at,
    )


def _callback(row: CallbackRecord) -> CallbackInfo:
    return CallbackInfo(
        row.id, row.conversation_id, row.diarienummer, row.question, row.contact_kind,
        row.contact, row.created_at, row.handled_at, row.handled_by, row.note,
    )


class HandoverService:
    """Queue and callbacks in one database; each method is one unit of work."""

    def __init__(
        self,
        db: Database | str | None = None,
        now: Callable[[], datetime] = now_utc,
        *,
        routing: Routing | None = None,
    ) -> None:
        """``routing``: queue a new request only when an agent can take it (the bot's
        service); without it the queue takes every request (the console's moves)."""
        self.db = db if isinstance(db, Database) else get_database(db)
        self._now = now
        self.routing = routing

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
                if self.routing is not None and not self.routing.anyone_available_in(
                    session, now
                ):
                    raise NoAgentAvailable("Ingen kommunvägledare kan ta emot chatten just nu.")
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
                move_case_by_number(
                    session, row.diarienummer, Event.REQUEST_HUMAN, Owner.BOT,
                    at=now, by=Owner.BOT.value,
                )
            return QueueTicket(_info(row), self._place(session, row), new)

    def active_for_conversation(self, conversation_id: str) -> HandoverInfo | None:
        with self.db.session() as session:
            row = self._active(session, _one_line(conversation_id, 255))
            return _info(row) if row else None

    def leave_callback(
        self, conversation_id: str, question: str, contact: Contact, diarienummer: str | None = None
    ) -> CallbackInfo:
        """A message left while closed (or after a timeout); the ärende awaits återkoppling."""
        conversation = _one_line(conversation_id, 255)
        if not conversation:
            raise HandoverError("Konversationens id saknas.")
        now = self._now()
        row = CallbackRecord(
            conversation_id=conversation,
            diarienummer=_one_line(diarienummer, 20) or None,
            question=clean_question(question),
            contact_kind=contact.kind,
            contact=contact.value[:254],
            created_at=now,
        )
        with write_session(self.db) as session:
            session.add(row)
            session.flush()
            move_case_by_number(
                session, row.diarienummer, Event.LEAVE_MESSAGE, Owner.BOT,
                at=now, by=Owner.BOT.value, note="meddelande lämnat",
            )
            return _callback(row)

    # -- console side -------------------------------------------------------------------

    def get(self, handover_id: int) -> HandoverInfo:
        with self.db.session() as session:
            return _info(self._row(session, handover_id))

    def queue(self, username: str | None = None) -> list[HandoverInfo]:
        """Waiting ärenden, oldest first; one handed to a named colleague is seen by all
        (marked for them), so it is never stuck with someone who is away."""
        stmt = select(HandoverRecord).where(HandoverRecord.status == QUEUED)
        with self.db.session() as session:
            rows = session.execute(stmt.order_by(HandoverRecord.queued_at)).scalars().all()
            return self._with_concerns(session, rows)

    def taken_by(self, username: str) -> list[HandoverInfo]:
        """"Mina pågående samtal": those with the agent, and those handed back to the bot
        that the agent has still to close (their ärende still open)."""
        stmt = (
            select(HandoverRecord)
            .outerjoin(Case, Case.diarienummer == HandoverRecord.diarienummer)
            .where(
                HandoverRecord.agent_username == username,
                HandoverRecord.status.in_((WITH_AGENT, BACK_TO_BOT)),
                (HandoverRecord.status == WITH_AGENT)
                | Case.status.is_(None)
                | (Case.status == BACK_TO_BOT),
            )
            .order_by(HandoverRecord.taken_at)
        )
        with self.db.session() as session:
            return self._with_concerns(session, session.execute(stmt).scalars().all())

    def take(self, handover_id: int, username: str, agent_name: str) -> HandoverInfo:
        """Take a queued ärende; of two agents clicking at once, exactly one wins.

        ``write_session`` locks the row on PostgreSQL and takes SQLite's write lock
        before the read (BEGIN IMMEDIATE), so the status check cannot race.
        ``agent_name`` is the account's full name; the ärende's handläggare is stored as
        the full name with the username.
        """
        now = self._now()
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            self._move(row, Event.TAKE, "tas över")
            row.status, row.agent_username, row.agent_name = WITH_AGENT, username, agent_name
            row.taken_at, row.assigned_to = now, None
            move_case_by_number(
                session, row.diarienummer, Event.TAKE, Owner.CONSOLE,
                at=now, by=username, handled_by=agent_label(agent_name, username),
            )
            return _info(row)

    def require_agent(self, handover_id: int, username: str) -> HandoverInfo:
        """The ärende, if ``username`` is handling it now; else a Swedish refusal."""
        with self.db.session() as session:
            row = self._row(session, handover_id)
            self._check_agent(row, username)
            return _info(row)

    def require_owner(self, handover_id: int, username: str) -> HandoverInfo:
        """The ärende, if ``username`` handles it or handed it back and may still close it."""
        with self.db.session() as session:
            row = self._row(session, handover_id)
            if row.status not in (WITH_AGENT, BACK_TO_BOT):
                raise HandoverError(self._why_not(row, "ändras"))
            if row.agent_username != username:
                raise HandoverError("Ärendet hanteras av en annan kommunvägledare.")
            return _info(row)

    def hand_back(self, handover_id: int, username: str) -> HandoverInfo:
        now = self._now()
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            self._check_agent(row, username)
            row.status = self._move(row, Event.HAND_BACK, "lämnas tillbaka")
            move_case_by_number(
                session, row.diarienummer, Event.HAND_BACK, Owner.CONSOLE, at=now, by=username
            )
            return _info(row)

    def close(self, handover_id: int, username: str, agent_name: str = "") -> HandoverInfo:
        """Close an ärende one is handling, or one handed back to the bot earlier.

        The ärende in the register closes in the same unit of work, with the agent as
        handläggare: nothing recorded later can reopen it.
        """
        now = self._now()
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            if row.agent_username != username and row.status in (WITH_AGENT, BACK_TO_BOT):
                raise HandoverError("Ärendet hanteras av en annan kommunvägledare.")
            row.status = self._move(row, Event.CLOSE, "avslutas")
            row.ended_at, row.ended_by = now, username
            move_case_by_number(
                session, row.diarienummer, Event.CLOSE, Owner.CONSOLE, at=now, by=username,
                handled_by=agent_label(agent_name or row.agent_name or "", username),
                note="avslutat i konsolen",
            )
            return _info(row)

    def transfer(self, handover_id: int, username: str, to_username: str | None) -> HandoverInfo:
        """Back to the queue (``to_username`` None) or marked for a named colleague.

        The resident keeps the place and the waiting time: ``queued_at`` is unchanged,
        so the timeout still counts from the first request.
        """
        target = _one_line(to_username, 100) or None
        if target == username:
            raise HandoverError("Välj en annan kollega än dig själv.")
        now = self._now()
        with write_session(self.db) as session:
            row = self._row(session, handover_id, lock=True)
            self._check_agent(row, username)
            row.status = self._move(row, Event.TRANSFER, "överlämnas")
            row.assigned_to = target
            row.agent_username = row.agent_name = row.taken_at = None
            move_case_by_number(
                session, row.diarienummer, Event.TRANSFER, Owner.CONSOLE, at=now, by=username,
                note=f"överlämnat till {target}" if target else "tillbaka till kön",
            )
            return _info(row)

    def expire_waiting(self, timeout: timedelta) -> list[HandoverInfo]:
        """Queued ärenden that waited longer than ``timeout``, each returned exactly once.

        Any number of processes may run this at the same time: a row is claimed by a
        conditional UPDATE (still queued, still too old), and only the runner whose
        update changed it gets it back and tells the resident.
        """
        now = self._now()
        limit = now - timeout
        with self.db.session() as session:
            candidates = session.execute(
                select(HandoverRecord.id).where(
                    HandoverRecord.status == QUEUED, HandoverRecord.queued_at <= limit
                )
            ).scalars().all()
        expired = []
        for handover_id in candidates:
            with write_session(self.db) as session:
                claimed = session.execute(
                    update(HandoverRecord)
                    .where(
                        HandoverRecord.id == handover_id,
                        HandoverRecord.status == QUEUED,
                        HandoverRecord.queued_at <= limit,
                    )
                    .values(status=TIMED_OUT, ended_at=now, ended_by=SYSTEM)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:
                    continue  # another runner got it first
                row = self._row(session, handover_id)
                move_case_by_number(
                    session, row.diarienummer, Event.TIME_OUT, Owner.TIMEOUT, at=now, by=SYSTEM
                )
                expired.append(_info(row))
        return expired

    def callbacks(self, include_handled: bool = False) -> list[CallbackInfo]:
        stmt = select(CallbackRecord).order_by(CallbackRecord.created_at)
        if not include_handled:
            stmt = stmt.where(CallbackRecord.handled_at.is_(None))
        with self.db.session() as session:
            return [_callback(r) for r in session.execute(stmt).scalars()]

    def mark_handled(
        self, callback_id: int, username: str, note: str, agent_name: str = ""
    ) -> CallbackInfo:
        """Handled: the ärende in the register closes with the agent and the note."""
        text = str(note or "").strip()
        if len(text) > MAX_NOTE_CHARS:
            raise HandoverError(f"Anteckningen är för lång (högst {MAX_NOTE_CHARS} tecken).")
        now = self._now()
        with write_session(self.db) as session:
            row = session.get(CallbackRecord, callback_id)
            if row is None:
                raise HandoverError("Meddelandet finns inte.")
            if row.handled_at is not None:
                raise HandoverError("Meddelandet är redan markerat som hanterat.")
            row.handled_at, row.handled_by, row.note = now, username, text or None
            move = move_case_by_number(
                session, row.diarienummer, Event.CALLBACK_HANDLED, Owner.CONSOLE,
                at=now, by=username, handled_by=agent_label(agent_name, username),
                note=text or "återkoppling klar",
            )
            if move is not None and text:
                case = session.execute(
                    select(Case).where(Case.diarienummer == row.diarienummer)
                ).scalar_one()
                case.closing_note = text
            return _callback(row)

    def resident_messages(self, handover_ids: list[int]) -> dict[int, int]:
        """How many messages the resident has written in each handover's ärende.

        The console's unread marks compare this with what the agent has seen; the
        register is the source, so it moves exactly when the console is pushed.
        """
        if not handover_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(HandoverRecord.id, func.count(Message.id))
                .join(Case, Case.diarienummer == HandoverRecord.diarienummer)
                .join(Message, Message.case_id == Case.id)
                .where(HandoverRecord.id.in_(handover_ids),
                       Message.sender_role == ROLE_RESIDENT,
                       ~Message.text.startswith("/"))
                .group_by(HandoverRecord.id)
            ).all()
        counts = {int(hid): int(n) for hid, n in rows}
        return {hid: counts.get(hid, 0) for hid in handover_ids}

    # -- internals ----------------------------------------------------------------------

    @staticmethod
    def _with_concerns(session, rows) -> list[HandoverInfo]:  # type: ignore[no-untyped-def]
        """Infos where an empty "Gäller" is filled from what the resident wrote while
        waiting (the first message after the request, masked, from the register)."""
        infos = []
        for row in rows:
            info = _info(row)
            if not info.concern and row.diarienummer:
                text = session.execute(
                    select(Message.text)
                    .join(Case, Case.id == Message.case_id)
                    .where(
                        Case.diarienummer == row.diarienummer,
                        Message.sender_role == ROLE_RESIDENT,
                        Message.sent_at >= row.requested_at,
                        ~Message.text.startswith("/"),
                    )
                    .order_by(Message.sent_at, Message.seq)
                    .limit(1)
                ).scalar_one_or_none()
                if text:
                    info = replace(info, concern=_one_line(text, 300))
            infos.append(info)
        return infos

    @staticmethod
    def _move(row: HandoverRecord, event: Event, what: str) -> str:
        """The handover row's next state for ``event`` (console moves), or refused."""
        try:
            return transition(row.status, event, Owner.CONSOLE).target.value
        except TransitionRefused:
            raise HandoverError(HandoverService._why_not(row, what)) from None

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
        return f"Ärendet kan inte {what} nu (status: {label(row.status)})."

    @staticmethod
    def _row(session: Session, handover_id: int, lock: bool = False) -> HandoverRecord:
        stmt = select(HandoverRecord).where(HandoverRecord.id == handover_id)
        if lock:
            stmt = stmt.with_for_update()
        row: HandoverRecord | None = session.execute(stmt).scalar_one_or_none()
        if row is None:
            raise HandoverNotFound("Ärendet finns inte i kön.")
        return row

    @staticmethod
    def _active(session: Session, conversation: str) -> HandoverRecord | None:
        row: HandoverRecord | None = session.execute(
            select(HandoverRecord)
            .where(HandoverRecord.conversation_id == conversation,
                   HandoverRecord.status.in_(ACTIVE))
            .order_by(HandoverRecord.requested_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        return row

    @staticmethod
    def _place(session: Session, row: HandoverRecord) -> int:
        if row.status != QUEUED:
            return 0
        ahead = session.execute(
            select(func.count())
            .select_from(HandoverRecord)
            .where(HandoverRecord.status == QUEUED, HandoverRecord.queued_at < row.queued_at)
        ).scalar()
        return int(ahead or 0) + 1
