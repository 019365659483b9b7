"""Writing the register: sessions open ärenden, messages are added, quiet ärenden close.

The event broker's recorder hands Rasa event dicts to :meth:`Ingestion.record_event`,
which translates them once (:mod:`kontaktcenter.records.rasa_events`) and records the
register's own events. Ingestion never changes an ärende's handover state: only the
moves of :mod:`kontaktcenter.records.states` do, so a late message cannot reopen it.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.base import RegisterBase, aware
from kontaktcenter.records.info import CaseInfo
from kontaktcenter.records.lifecycle import move_case
from kontaktcenter.records.models import Case, Message, MessageOriginal
from kontaktcenter.records.numbering import allocate_number
from kontaktcenter.records.rasa_events import (
    AGENT,
    RESIDENT,
    ChatMessage,
    RegisterEvent,
    SessionStarted,
    translate,
)
from kontaktcenter.records.states import ACTIVE, Event, Owner, State, sources
from kontaktcenter.records.text import STOCKHOLM, fold, one_line
from kontaktcenter.records.topics import SUBJECT_SEPARATOR


class RecordOutcome(str, enum.Enum):
    """What :meth:`Ingestion.record_event` did with an event."""

    OPENED = "opened"  # a new case
    RECORDED = "recorded"  # a new message
    DUPLICATE = "duplicate"  # seen before; nothing written
    UPDATED = "updated"  # case data changed, no message
    IGNORED = "ignored"  # not an event the register keeps


_ACTIVE = tuple(s.value for s in ACTIVE)
# Session key of an ärende action_session_start opened, until its session start claims it.
PENDING_PREFIX = "pending:"


def session_key_for(conversation_id: str, started_at: datetime) -> str:
    """Identity of a Rasa session: conversation plus the session_started timestamp."""
    raw = f"{conversation_id}\x1f{started_at.timestamp():.6f}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class _Batch:
    """What one transaction of the register knows beyond its database rows.

    The ärenden it has locked (``FOR UPDATE``) stay as they are until the commit: no
    one else can close one or number a message of it. So their last message numbers
    are counted here, and a conversation's next message goes to the same active
    ärende without asking again, until this transaction opens a session of that
    conversation. With ``collect`` the new messages wait in :attr:`values` and are
    inserted with one statement (``executemany``) instead of one ORM flush each.
    """

    def __init__(self, session: Session, collect: bool = False) -> None:
        self.session = session
        self.collect = collect
        self.last_seq: dict[int, int] = {}
        self.cases: dict[str, tuple[Case, datetime]] = {}
        self.values: list[dict[str, Any]] = []

    def insert(self) -> None:
        """Insert the collected messages (before anything that needs their ids)."""
        if self.values:
            self.session.execute(insert(Message), self.values)
            self.values = []


class Ingestion(RegisterBase):
    """Every public method is one unit of work and idempotent."""

    def open_case(
        self,
        conversation_id: str,
        at: datetime,
        channel: str | None = None,
        *,
        session_key: str | None = None,
    ) -> CaseInfo:
        """The ärende of the session that started at ``at``; created on first call.

        Idempotent per session: the broker (on ``session_started``) and the actions that
        ask for the number get the same ärende; an ärende that ``action_session_start``
        opened for this session (see :meth:`open_session_case`) is taken over, not
        duplicated. Earlier active ärenden of the conversation are closed.
        """
        return self._open(conversation_id, at, channel, session_key)[0]

    def open_session_case(
        self, conversation_id: str, at: datetime, channel: str | None = None
    ) -> CaseInfo:
        """The ärende of a session that ``action_session_start`` is starting now.

        Rasa gives the events an action returns new timestamps
        (``DialogueStateTracker.update_with_events``), so the action cannot know the
        ``session_started`` time that keys the session. It opens the ärende as pending;
        the session's start, when it reaches the register, takes it over (see
        :meth:`open_case`). One ärende per session, opened at its start, its number known
        at once for the notice.
        """
        conversation = one_line(conversation_id, 255)
        key = PENDING_PREFIX + session_key_for(conversation, aware(at, "Starttiden"))
        return self._open(conversation_id, at, channel, key)[0]

    def _open(
        self, conversation_id: str, at: datetime, channel: str | None, key: str | None
    ) -> tuple[CaseInfo, RecordOutcome]:
        conversation, at, key = self._session_identity(conversation_id, at, key)
        try:
            with write_session(self.db) as session:
                case, outcome = self._open_in(session, conversation, at, channel, key)
                return self._info(session, case), outcome
        except IntegrityError:  # the same session opened concurrently elsewhere
            with self.db.session() as session:
                existing = self._case_by_session(session, key)
                if existing is None:
                    raise
                return self._info(session, existing), RecordOutcome.DUPLICATE

    @staticmethod
    def _session_identity(
        conversation_id: str, at: datetime, key: str | None
    ) -> tuple[str, datetime, str]:
        conversation = one_line(conversation_id, 255)
        if not conversation:
            raise ValueError("Konversationens id saknas.")
        at = aware(at, "Starttiden")
        return conversation, at, key or session_key_for(conversation, at)

    def _open_in(
        self, session: Session, conversation: str, at: datetime, channel: str | None, key: str
    ) -> tuple[Case, RecordOutcome]:
        outcome = RecordOutcome.DUPLICATE
        case = self._case_by_session(session, key)
        if case is None and not key.startswith(PENDING_PREFIX):
            case = self._pending_case(session, conversation, at)
            if case is not None:
                case.session_key = key
                outcome = RecordOutcome.UPDATED
        if case is None:
            case = self._new_case(session, conversation, at, channel, key)
            outcome = RecordOutcome.OPENED
        elif channel and not case.channel:
            case.channel = one_line(channel, 50)
        return case, outcome

    def record_event(self, event: Mapping[str, Any]) -> RecordOutcome:
        """Record one Rasa event dict as published by Rasa's event broker."""
        translated = translate(event)
        return self.record(translated) if translated is not None else RecordOutcome.IGNORED

    def record(self, event: RegisterEvent) -> RecordOutcome:
        """``SessionStarted`` opens an ärende; ``ChatMessage`` adds a message.

        Writing the same event twice never duplicates anything.
        """
        if isinstance(event, SessionStarted):
            return self._open(event.conversation_id, event.at, event.channel, None)[1]
        try:
            return self._record_message(event)
        except IntegrityError:
            with self.db.session() as session:
                if self._message_exists(session, event.key):
                    return RecordOutcome.DUPLICATE
            raise

    def record_events(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Record several Rasa event dicts in one unit of work; how many the register keeps.

        Why: the recorder drains its spool in batches, and one transaction per event (with
        a look for a duplicate first) cost more than the rest of the write. Here nothing
        is looked up in advance: a replayed event breaks a unique key, and then nothing of
        the batch is kept. All or nothing, so on any error the caller writes the batch's
        events one by one with :meth:`record_event`, which finds the duplicate or the bad
        one; replays happen only after a crash.
        """
        translated = [t for t in (translate(event) for event in events) if t is not None]
        if not translated:
            return 0
        with write_session(self.db) as session, session.no_autoflush:
            batch = _Batch(session, collect=True)
            for event in translated:
                if isinstance(event, SessionStarted):
                    conversation, at, key = self._session_identity(
                        event.conversation_id, event.at, None
                    )
                    batch.cases.pop(conversation, None)
                    self._open_in(session, conversation, at, event.channel, key)
                    session.flush()
                else:
                    self._add_message(batch, event)
            batch.insert()
        return len(translated)

    def close_idle_cases(self, now: datetime, idle_after: timedelta) -> list[str]:
        """Close ärenden without activity for ``idle_after``; their numbers."""
        now = aware(now, "Tiden")
        last = func.coalesce(Case.last_activity_at, Case.registered_at)
        idle_states = [s.value for s in sources(Event.GO_IDLE)]
        stmt = select(Case).where(Case.status.in_(idle_states), last < now - idle_after)
        with write_session(self.db) as session:
            closed = []
            for case in session.execute(stmt.with_for_update()).scalars():
                move_case(session, case, Event.GO_IDLE, Owner.RECORDER, at=now, by="system")
                closed.append(case.diarienummer)
            return closed

    # -- internals -----------------------------------------------------------------

    def _new_case(
        self, session: Session, conversation: str, at: datetime, channel: str | None, key: str
    ) -> Case:
        year = at.astimezone(STOCKHOLM).year
        seq, number = allocate_number(session, year)
        case = Case(
            diarienummer=number,
            year=year,
            seq=seq,
            conversation_id=conversation,
            session_key=key,
            registered_at=at,
            channel=one_line(channel, 50) or None,
            sender=v.ANONYMOUS_SENDER,
            subject=v.DEFAULT_SUBJECT,
            subject_folded=fold(v.DEFAULT_SUBJECT),
            topics="",
            status=State.OPEN.value,
            last_activity_at=at,
            retention_category=self.policy.default_category,
        )
        session.add(case)
        earlier = select(Case).where(
            Case.conversation_id == conversation,
            Case.status.in_([s.value for s in sources(Event.NEW_SESSION)]),
            Case.registered_at < at,
        )
        for old in session.execute(earlier).scalars():
            move_case(session, old, Event.NEW_SESSION, Owner.RECORDER, at=at, by="system")
        session.flush()
        return case

    def _record_message(self, message: ChatMessage) -> RecordOutcome:
        with write_session(self.db) as session:
            if self._message_exists(session, message.key):
                return RecordOutcome.DUPLICATE
            return self._add_message(_Batch(session), message)

    def _add_message(self, batch: _Batch, message: ChatMessage) -> RecordOutcome:
        """Add a message to its ärende (a new one if none runs) in the batch's session."""
        session = batch.session
        known = batch.cases.get(message.conversation_id)
        if known is not None and known[0].status in _ACTIVE and message.at >= known[1]:
            case: Case | None = known[0]
        else:
            case = self._case_for_message(session, message.conversation_id, message.at)
        opened = case is None
        if case is None:  # no session seen (an older conversation, or after closing)
            case = self._new_case(
                session, message.conversation_id, message.at, message.channel,
                "auto:" + message.key,
            )
        batch.cases[message.conversation_id] = (case, message.at)
        if not case.channel and message.channel:
            case.channel = message.channel
        changed = self._add_topic(case, message.intent)
        if message.resident_name:
            case.sender = message.resident_name
        if not message.text:
            if opened:
                return RecordOutcome.OPENED
            return RecordOutcome.UPDATED if changed else RecordOutcome.IGNORED
        if message.author == RESIDENT:
            role, name = v.ROLE_RESIDENT, None
        elif message.author == AGENT:
            role, name = v.ROLE_STAFF, message.agent
            case.retention_category = self.policy.staff_category
        else:
            role, name = v.ROLE_BOT, None
        masked = self.masker.mask(message.text)
        seq = batch.last_seq.get(case.id)
        if seq is None:
            seq = session.execute(
                select(func.max(Message.seq)).where(Message.case_id == case.id)
            ).scalar() or 0
        batch.last_seq[case.id] = seq + 1
        values = {
            "case_id": case.id,
            "seq": seq + 1,
            "sender_role": role,
            "sender_name": name,
            "sent_at": message.at,
            "text": masked.text,
            "text_folded": fold(masked.text),
            "intent": message.intent,
            "intent_confidence": message.intent_confidence,
            "predicted_intent": message.predicted_intent,
            "event_key": message.key,
        }
        if batch.collect and not masked.changed:
            batch.values.append(values)
        else:
            batch.insert()  # earlier messages first: ids follow the events' order
            row = Message(**values)
            session.add(row)
            if masked.changed:  # rare (a phone number, an e-mail): the row's id is needed
                session.flush()
                session.add(MessageOriginal(message_id=row.id, text=message.text))
        if case.last_activity_at is None or message.at > case.last_activity_at:
            case.last_activity_at = message.at
        return RecordOutcome.OPENED if opened else RecordOutcome.RECORDED

    def _add_topic(self, case: Case, intent: str | None) -> bool:
        topic = self.topics.describe(intent)
        if not topic:
            return False
        known = [t for t in (case.topics or "").split("\n") if t]
        if topic in known:
            return False
        known.append(topic)
        case.topics = "\n".join(known)
        subject = SUBJECT_SEPARATOR.join(known)[:500]
        case.subject = subject
        case.subject_folded = fold(subject)
        return True

    def _case_for_message(self, session: Session, conversation: str, at: datetime) -> Case | None:
        """The ärende a message at ``at`` belongs to; None means a new one is needed.

        Normally the latest active one. A message that arrives late (from the spool, or
        the agent's last words recorded after the console closed the ärende) goes to the
        ärende that was running at its time, and leaves its state alone.
        """
        latest_before: Case | None = session.execute(
            select(Case)
            .where(
                Case.conversation_id == conversation,
                Case.registered_at <= at,
                Case.status != State.DISPOSED.value,
            )
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        if latest_before is not None:
            if latest_before.status in _ACTIVE:
                return latest_before
            if latest_before.closed_at is not None and at <= latest_before.closed_at:
                return latest_before
            return None  # closed before this message: the resident came back
        active: Case | None = session.execute(
            select(Case)
            .where(Case.conversation_id == conversation, Case.status.in_(_ACTIVE))
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        return active

    @staticmethod
    def _pending_case(session: Session, conversation: str, at: datetime) -> Case | None:
        """The ärende ``action_session_start`` opened for the session starting at ``at``.

        Rasa publishes a session's events in order, and the action's ärende is opened
        before Rasa stamps ``session_started``, so it is the latest pending one at or
        before ``at``; an older pending one was closed when the next session opened.
        """
        case: Case | None = session.execute(
            select(Case)
            .where(
                Case.conversation_id == conversation,
                Case.session_key.like(PENDING_PREFIX + "%"),
                Case.status.in_(_ACTIVE),
                Case.registered_at <= at,
            )
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        return case

    @staticmethod
    def _case_by_session(session: Session, key: str) -> Case | None:
        case: Case | None = session.execute(
            select(Case).where(Case.session_key == key)
        ).scalar_one_or_none()
        return case

    @staticmethod
    def _message_exists(session: Session, key: str) -> bool:
        return (
            session.execute(select(Message.id).where(Message.event_key == key)).first() is not None
        )
