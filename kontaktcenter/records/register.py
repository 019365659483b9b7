"""The register of ärenden: opening cases, recording Rasa events, queries.

Plain Python (no Rasa imports): the event broker in ``rasa_addons`` hands it the event
dicts Rasa publishes, a Rasa action asks it for the resident's case number, and the
CLI and staff console query it. Every public method is one unit of work.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.audit import write_audit
from kontaktcenter.records.info import CaseDetail, CaseInfo, MessageInfo
from kontaktcenter.records.masking import Masker, masker_from_facts
from kontaktcenter.records.models import Case, Message, MessageOriginal
from kontaktcenter.records.numbering import allocate_number
from kontaktcenter.records.policy import RecordsPolicy, default_policy
from kontaktcenter.records.text import (
    STOCKHOLM,
    clean,
    day_start,
    fold,
    one_line,
    utc_now,
)
from kontaktcenter.records.topics import SUBJECT_SEPARATOR, Topics, default_topics

# How far apart a session start and the bot message that opened its case may be.
AUTO_CASE_ADOPT_SECONDS = 10

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000
MAX_QUERY_CHARS = 200
AGENT_METADATA_KEY = "kc_agent"
RESIDENT_NAME_METADATA_KEY = "kc_resident_name"
# Slots whose value is the name a resident chose to give (sender of the case).
SENDER_NAME_SLOTS = ("namn", "resident_name")


class RecordOutcome(str, enum.Enum):
    """What :meth:`Register.record_event` did with an event."""

    OPENED = "opened"  # a new case
    RECORDED = "recorded"  # a new message
    DUPLICATE = "duplicate"  # seen before; nothing written
    UPDATED = "updated"  # case data changed, no message
    IGNORED = "ignored"  # not an event the register keeps


class CaseNotFound(LookupError):
    def __init__(self, diarienummer: str) -> None:
        super().__init__(f"Det finns inget ärende med diarienummer {diarienummer}.")
        self.diarienummer = diarienummer


class AccessDenied(PermissionError):
    """The role may not read originals; the attempt is in the audit log."""


def event_time(event: Mapping[str, Any]) -> datetime:
    """The event's UTC time (Rasa: seconds since the epoch); now if missing or broken."""
    try:
        return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return utc_now()


def _timestamp_text(event: Mapping[str, Any]) -> str:
    try:
        return f"{float(event['timestamp']):.6f}"
    except (KeyError, TypeError, ValueError, OverflowError):
        return "none"


def event_key(event: Mapping[str, Any]) -> str:
    """Stable identity of an event: sender, type, timestamp and a hash of the text."""
    text_hash = hashlib.sha256(str(event.get("text") or "").encode("utf-8")).hexdigest()
    raw = "\x1f".join(
        [
            str(event.get("sender_id") or ""),
            str(event.get("event")),
            _timestamp_text(event),
            text_hash,
        ]
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def session_key_for(conversation_id: str, started_at: datetime) -> str:
    """Identity of a Rasa session: conversation plus the session_started timestamp."""
    raw = f"{conversation_id}\x1f{started_at.timestamp():.6f}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _intent_name(event: Mapping[str, Any]) -> str | None:
    parse_data = event.get("parse_data")
    if isinstance(parse_data, Mapping):
        intent = parse_data.get("intent")
        if isinstance(intent, Mapping) and intent.get("name"):
            return one_line(str(intent["name"]), 100)
    return None


FALLBACK_INTENT = "nlu_fallback"


def _nlu_scores(event: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The intent's confidence and DIET's best non-fallback intent (for the insights)."""
    parse_data = event.get("parse_data")
    if not isinstance(parse_data, Mapping):
        return None, None
    intent = parse_data.get("intent")
    confidence = None
    if isinstance(intent, Mapping):
        try:
            confidence = float(intent["confidence"])
        except (KeyError, TypeError, ValueError):
            confidence = None
        if confidence is not None and not math.isfinite(confidence):
            confidence = None
    ranking = parse_data.get("intent_ranking")
    for entry in ranking if isinstance(ranking, list) else []:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if name and name != FALLBACK_INTENT:
            return confidence, one_line(str(name), 100)
    name = intent.get("name") if isinstance(intent, Mapping) else None
    best = one_line(str(name), 100) if name and name != FALLBACK_INTENT else None
    return confidence, best


def _metadata(event: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{what} måste ha tidszon.")
    return value.astimezone(timezone.utc)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Register:
    """The public-record register over one database.

    ``masker``, ``policy`` and ``topics`` default to the deployment's configuration
    (config/contact.yml, retention.yml, topics.yml), loaded on first use.
    """

    def __init__(
        self,
        db: Database | str | None = None,
        *,
        masker: Masker | None = None,
        policy: RecordsPolicy | None = None,
        topics: Topics | None = None,
    ) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self._masker = masker
        self._policy = policy
        self._topics = topics

    # -- configuration -------------------------------------------------------------

    @property
    def masker(self) -> Masker:
        if self._masker is None:
            self._masker = masker_from_facts()
        return self._masker

    @property
    def policy(self) -> RecordsPolicy:
        if self._policy is None:
            self._policy = default_policy()
        return self._policy

    @property
    def topics(self) -> Topics:
        if self._topics is None:
            self._topics = default_topics()
        return self._topics

    # -- writing -------------------------------------------------------------------

    def open_case(
        self,
        conversation_id: str,
        at: datetime,
        channel: str | None = None,
        *,
        session_key: str | None = None,
    ) -> CaseInfo:
        """The case of the session that started at ``at``; created on first call.

        Idempotent per session: the event broker (on ``session_started``) and a Rasa
        action (that saw the same session start in its tracker) get the same case.
        Other active cases of the conversation that began earlier are closed.
        """
        conversation = one_line(conversation_id, 255)
        if not conversation:
            raise ValueError("Konversationens id saknas.")
        at = _aware(at, "Starttiden")
        key = session_key or session_key_for(conversation, at)
        try:
            with write_session(self.db) as session:
                case = self._case_by_session(session, key)
                if case is None:
                    case = self._adopt_auto_case(session, conversation, at, key)
                if case is None:
                    case = self._new_case(session, conversation, at, channel, key)
                elif channel and not case.channel:
                    case.channel = one_line(channel, 50)
                return self._info(session, case)
        except IntegrityError:  # the same session opened concurrently elsewhere
            with self.db.session() as session:
                case = self._case_by_session(session, key)
                if case is None:
                    raise
                return self._info(session, case)

    def record_event(self, event: Mapping[str, Any]) -> RecordOutcome:
        """Record one Rasa event dict (as published by Rasa's event broker).

        ``session_started`` opens a case; ``user``/``bot`` add a message (a bot event
        with ``metadata.kc_agent`` is a kommunvägledare's message); ``pause``/``resume``
        move the case in and out of the queue; ``slot`` events for a name slot set the
        sender. Writing the same event twice never duplicates anything.
        """
        if not isinstance(event, Mapping):
            return RecordOutcome.IGNORED
        kind = event.get("event")
        conversation = one_line(str(event.get("sender_id") or ""), 255)
        if not conversation:
            return RecordOutcome.IGNORED
        at = event_time(event)
        if kind == "session_started":
            key = session_key_for(conversation, at)
            with self.db.session() as session:
                known = self._case_by_session(session, key) is not None
            self.open_case(conversation, at, event.get("input_channel"), session_key=key)
            return RecordOutcome.DUPLICATE if known else RecordOutcome.OPENED
        if kind in ("user", "bot"):
            try:
                return self._record_message(event, conversation, at)
            except IntegrityError:
                with self.db.session() as session:
                    if self._message_exists(session, event_key(event)):
                        return RecordOutcome.DUPLICATE
                raise
        if kind in ("pause", "resume"):
            return self._pause_or_resume(conversation, paused=kind == "pause")
        if kind == "slot" and event.get("name") in SENDER_NAME_SLOTS:
            return self._set_sender(conversation, event.get("value"))
        return RecordOutcome.IGNORED

    def close_idle_cases(self, now: datetime, idle_after: timedelta) -> list[str]:
        """Close (avslutad) cases without activity for ``idle_after``; their numbers."""
        now = _aware(now, "Tiden")
        limit = now - idle_after
        last = func.coalesce(Case.last_activity_at, Case.registered_at)
        stmt = select(Case).where(Case.status.in_(v.IDLE_CLOSABLE_STATUSES), last < limit)
        with write_session(self.db) as session:
            closed = []
            for case in session.execute(stmt).scalars():
                case.status = v.STATUS_CLOSED
                case.closed_at = now
                closed.append(case.diarienummer)
            return closed

    def set_status(
        self,
        diarienummer: str,
        status: str,
        *,
        by: str,
        handled_by: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> CaseInfo:
        """Staff change a case's status (and handler); written to the audit log."""
        number = v.normalise_diarienummer(diarienummer)
        if status not in v.STATUSES or status == v.STATUS_DISPOSED:
            allowed = ", ".join(s for s in v.STATUSES if s != v.STATUS_DISPOSED)
            raise ValueError(f"Okänd status {one_line(status, 40)!r}. Välj en av: {allowed}.")
        actor = one_line(by, 200)
        if not actor:
            raise ValueError("Ange vem som ändrar ärendet.")
        at = _aware(at, "Tiden") if at else utc_now()
        with write_session(self.db) as session:
            case = self._case_by_number(session, number)
            if case.status == v.STATUS_DISPOSED:
                raise ValueError(f"Ärende {number} är gallrat och kan inte ändras.")
            case.status = status
            if handled_by:
                case.handled_by = one_line(handled_by, 200)
            case.closed_at = at if status == v.STATUS_CLOSED else None
            write_audit(
                session,
                at=at,
                actor=actor,
                action=v.ACTION_STATUS,
                diarienummer=number,
                reason=f"{status}" + (f": {one_line(reason, 500)}" if reason else ""),
            )
            return self._info(session, case)

    # -- reading -------------------------------------------------------------------

    def current_case(
        self,
        conversation_id: str,
        session_started_at: datetime | float | None = None,
        channel: str | None = None,
    ) -> CaseInfo | None:
        """The resident's case right now, for "vad är mitt ärendenummer?".

        Rasa saves the tracker (and so publishes its events) only after the actions of a
        turn have run, so in the first turn of a session the broker has not yet opened
        the case. Pass the timestamp of the tracker's latest ``session_started`` event:
        the case is then opened here, idempotently, and the broker later finds the same
        one. Without it, the latest case of the conversation (or None).
        """
        if session_started_at is None:
            return self.case_for_conversation(conversation_id)
        if not isinstance(session_started_at, datetime):
            session_started_at = event_time({"timestamp": session_started_at})
        return self.open_case(conversation_id, session_started_at, channel)

    def case_for_conversation(self, conversation_id: str) -> CaseInfo | None:
        """The latest case of a conversation ("vad är mitt ärendenummer?")."""
        conversation = one_line(conversation_id, 255)
        if not conversation:
            return None
        stmt = (
            select(Case)
            .where(Case.conversation_id == conversation)
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
        )
        with self.db.session() as session:
            case = session.execute(stmt).scalar_one_or_none()
            return self._info(session, case) if case else None

    def get_case(self, diarienummer: str) -> CaseDetail | None:
        """Registration data and masked messages in order; None if there is no such case."""
        number = v.normalise_diarienummer(diarienummer)
        with self.db.session() as session:
            case = session.execute(
                select(Case).where(Case.diarienummer == number)
            ).scalar_one_or_none()
            if case is None:
                return None
            messages = session.execute(
                select(Message, MessageOriginal.message_id)
                .outerjoin(MessageOriginal, MessageOriginal.message_id == Message.id)
                .where(Message.case_id == case.id)
                .order_by(Message.sent_at, Message.seq)
            ).all()
            return CaseDetail(
                case=self._info(session, case, count=len(messages)),
                messages=[
                    MessageInfo(
                        m.seq, m.sender_role, m.sender_name, m.sent_at, m.text, orig is not None
                    )
                    for m, orig in messages
                ],
            )

    def read_original(
        self, diarienummer: str, user: str, role: str, reason: str, *, at: datetime | None = None
    ) -> CaseDetail:
        """The unmasked messages, for an authorised role only; every attempt is audited."""
        number = v.normalise_diarienummer(diarienummer)
        actor = one_line(user, 200)
        role_name = one_line(role, 100).lower()
        why = one_line(reason, 1000)
        if not actor:
            raise ValueError("Ange vem som läser originalet (användare).")
        if not why:
            raise ValueError("Ange skälet till att originalet läses.")
        at = _aware(at, "Tiden") if at else utc_now()
        allowed = role_name in self.policy.original_reader_roles
        with write_session(self.db) as session:
            case = self._case_by_number(session, number)
            write_audit(
                session,
                at=at,
                actor=actor,
                role=role_name or None,
                action=v.ACTION_READ_ORIGINAL if allowed else v.ACTION_READ_DENIED,
                diarienummer=number,
                reason=why,
            )
            rows = session.execute(
                select(Message, MessageOriginal.text)
                .outerjoin(MessageOriginal, MessageOriginal.message_id == Message.id)
                .where(Message.case_id == case.id)
                .order_by(Message.sent_at, Message.seq)
            ).all()
            info = self._info(session, case, count=len(rows))
        if not allowed:
            roles = ", ".join(sorted(self.policy.original_reader_roles)) or "(inga)"
            raise AccessDenied(
                f"Rollen {role_name or '(ingen)'!r} får inte läsa original. "
                f"Behöriga roller: {roles}. Försöket är loggat."
            )
        return CaseDetail(
            case=info,
            messages=[
                MessageInfo(
                    m.seq, m.sender_role, m.sender_name, m.sent_at, original or m.text, False
                )
                for m, original in rows
            ],
            originals=True,
        )

    def list_cases(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        status: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[CaseInfo]:
        """Cases newest first, filtered by registration day (Stockholm), status and text.

        ``text`` matches a diarienummer, the ärendemening or the masked message texts
        (never the originals), case-insensitively.
        """
        stmt = select(Case).order_by(Case.registered_at.desc(), Case.id.desc())
        if date_from and date_to and date_from > date_to:
            raise ValueError("Från-datumet ligger efter till-datumet.")
        if date_from:
            stmt = stmt.where(Case.registered_at >= day_start(date_from))
        if date_to:
            stmt = stmt.where(Case.registered_at < day_start(date_to + timedelta(days=1)))
        if status:
            if status not in v.STATUSES:
                raise ValueError(
                    f"Okänd status {one_line(status, 40)!r}. Välj en av: {', '.join(v.STATUSES)}."
                )
            stmt = stmt.where(Case.status == status)
        if text is not None:
            query = one_line(text, 10 * MAX_QUERY_CHARS)
            if not query:
                raise ValueError("Ange en söktext.")
            if len(query) > MAX_QUERY_CHARS:
                raise ValueError(f"Söktexten är för lång (högst {MAX_QUERY_CHARS} tecken).")
            pattern = f"%{_escape_like(fold(query))}%"
            in_messages = exists().where(
                and_(Message.case_id == Case.id, Message.text_folded.like(pattern, escape="\\"))
            )
            stmt = stmt.where(
                or_(
                    Case.diarienummer == query.upper(),
                    Case.subject_folded.like(pattern, escape="\\"),
                    in_messages,
                )
            )
        stmt = stmt.limit(max(1, min(limit, 10_000)))
        with self.db.session() as session:
            cases = list(session.execute(stmt).scalars())
            counts = self._counts(session, [c.id for c in cases])
            return [self._info(session, c, count=counts.get(c.id, 0)) for c in cases]

    def search(self, text: str, limit: int = 100) -> list[CaseInfo]:
        return self.list_cases(text=text, limit=limit)

    # -- release and disposal (see export.py and disposal.py) ------------------------

    def export_case(
        self,
        diarienummer: str,
        fmt: str = "html",
        *,
        requested_by: str = "",
        released_by: str = "",
        at: datetime | None = None,
    ) -> str:
        """A release copy (utlämnande) as HTML or JSON; the release is audited."""
        from kontaktcenter.records.export import export_case

        return export_case(
            self, diarienummer, fmt, requested_by=requested_by, released_by=released_by, at=at
        )

    def dispose(self, now: datetime, dry_run: bool = False, *, performed_by: str = "system"):  # type: ignore[no-untyped-def]
        """Gallring per config/retention.yml; returns a DisposalReport."""
        from kontaktcenter.records.disposal import dispose

        return dispose(self, now, dry_run=dry_run, performed_by=performed_by)

    # -- internals -----------------------------------------------------------------

    def _new_case(
        self,
        session: Session,
        conversation: str,
        at: datetime,
        channel: str | None,
        key: str,
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
            status=v.STATUS_OPEN,
            last_activity_at=at,
            retention_category=self.policy.default_category,
        )
        session.add(case)
        earlier = select(Case).where(
            Case.conversation_id == conversation,
            Case.status.in_(v.ACTIVE_STATUSES),
            Case.registered_at < at,
        )
        for old in session.execute(earlier).scalars():
            old.status = v.STATUS_CLOSED
            old.closed_at = at
        session.flush()
        return case

    def _record_message(
        self, event: Mapping[str, Any], conversation: str, at: datetime
    ) -> RecordOutcome:
        key = event_key(event)
        text = clean(event.get("text"), MAX_MESSAGE_CHARS).strip()
        intent = _intent_name(event) if event.get("event") == "user" else None
        confidence, predicted = _nlu_scores(event) if intent else (None, None)
        metadata = _metadata(event)
        agent = one_line(str(metadata.get(AGENT_METADATA_KEY) or ""), 200)
        with write_session(self.db) as session:
            if self._message_exists(session, key):
                return RecordOutcome.DUPLICATE
            case = self._case_for_message(session, conversation, at)
            opened = case is None
            if case is None:
                case = self._new_case(
                    session, conversation, at, event.get("input_channel"), "auto:" + key
                )
            if not case.channel and event.get("input_channel"):
                case.channel = one_line(str(event["input_channel"]), 50)
            changed = self._add_topic(case, intent)
            resident_name = one_line(str(metadata.get(RESIDENT_NAME_METADATA_KEY) or ""), 200)
            if resident_name:
                case.sender = resident_name
            if not text:
                return (
                    RecordOutcome.OPENED
                    if opened
                    else (RecordOutcome.UPDATED if changed else RecordOutcome.IGNORED)
                )
            if event.get("event") == "user":
                role, name = v.ROLE_RESIDENT, None
            elif agent:
                role, name = v.ROLE_STAFF, agent
                case.handled_by = agent
                case.status = v.STATUS_WITH_STAFF
                case.retention_category = self.policy.staff_category
            else:
                role, name = v.ROLE_BOT, None
            masked = self.masker.mask(text)
            last_seq = session.execute(
                select(func.max(Message.seq)).where(Message.case_id == case.id)
            ).scalar()
            message = Message(
                case_id=case.id,
                seq=(last_seq or 0) + 1,
                sender_role=role,
                sender_name=name,
                sent_at=at,
                text=masked.text,
                text_folded=fold(masked.text),
                intent=intent,
                intent_confidence=confidence,
                predicted_intent=predicted,
                event_key=key,
            )
            session.add(message)
            session.flush()
            if masked.changed:
                session.add(MessageOriginal(message_id=message.id, text=text))
            if case.last_activity_at is None or at > case.last_activity_at:
                case.last_activity_at = at
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

    def _pause_or_resume(self, conversation: str, *, paused: bool) -> RecordOutcome:
        with write_session(self.db) as session:
            case = self._active_case(session, conversation)
            if case is None:
                return RecordOutcome.IGNORED
            if paused and case.status == v.STATUS_OPEN:
                case.status = v.STATUS_QUEUED
            elif not paused and case.status in (v.STATUS_QUEUED, v.STATUS_WITH_STAFF):
                case.status = v.STATUS_OPEN
            else:
                return RecordOutcome.IGNORED
            return RecordOutcome.UPDATED

    def _set_sender(self, conversation: str, value: Any) -> RecordOutcome:
        name = one_line(str(value), 200) if isinstance(value, str) else ""
        if not name:
            return RecordOutcome.IGNORED
        with write_session(self.db) as session:
            case = self._active_case(session, conversation)
            if case is None:
                return RecordOutcome.IGNORED
            case.sender = name
            return RecordOutcome.UPDATED

    def _case_for_message(self, session: Session, conversation: str, at: datetime) -> Case | None:
        """The case a message at ``at`` belongs to; None means a new case is needed.

        Normally the latest active case. A message that arrives late (from the spool,
        or after a Rasa action already opened the next session's case) goes to the case
        that was running at its time, even if that case has been closed since.
        """
        latest_before = session.execute(
            select(Case)
            .where(
                Case.conversation_id == conversation,
                Case.registered_at <= at,
                Case.status != v.STATUS_DISPOSED,
            )
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        if latest_before is not None:
            if latest_before.status in v.ACTIVE_STATUSES:
                return latest_before
            if latest_before.closed_at is not None and at <= latest_before.closed_at:
                return latest_before
            return None  # closed before this message: the resident came back
        return self._active_case(session, conversation)

    @staticmethod
    def _active_case(session: Session, conversation: str) -> Case | None:
        stmt = (
            select(Case)
            .where(Case.conversation_id == conversation, Case.status.in_(v.ACTIVE_STATUSES))
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
            .with_for_update()
        )
        return session.execute(stmt).scalar_one_or_none()

    @staticmethod
    def _adopt_auto_case(
        session: Session, conversation: str, at: datetime, key: str
    ) -> Case | None:
        """A case that this session's own first bot message opened a moment earlier.

        Rasa publishes the messages of ``action_session_start`` (our public-record
        notice) before its ``session_started`` event, so the notice opens an "auto" case
        first; the session then takes that case over instead of opening a second one.
        """
        window = timedelta(seconds=AUTO_CASE_ADOPT_SECONDS)
        candidate = session.execute(
            select(Case)
            .where(
                Case.conversation_id == conversation,
                Case.session_key.like("auto:%"),
                Case.registered_at.between(at - window, at + window),
                Case.status.in_(v.ACTIVE_STATUSES),
                ~exists().where(
                    and_(Message.case_id == Case.id, Message.sender_role == v.ROLE_RESIDENT)
                ),
            )
            .order_by(Case.registered_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if candidate is not None:
            candidate.session_key = key
            candidate.registered_at = min(_aware(candidate.registered_at, "Tiden"), at)
        return candidate

    @staticmethod
    def _case_by_session(session: Session, key: str) -> Case | None:
        return session.execute(select(Case).where(Case.session_key == key)).scalar_one_or_none()

    @staticmethod
    def _case_by_number(session: Session, number: str) -> Case:
        case = session.execute(select(Case).where(Case.diarienummer == number)).scalar_one_or_none()
        if case is None:
            raise CaseNotFound(number)
        return case

    @staticmethod
    def _message_exists(session: Session, key: str) -> bool:
        return (
            session.execute(select(Message.id).where(Message.event_key == key)).first() is not None
        )

    @staticmethod
    def _counts(session: Session, case_ids: list[int]) -> dict[int, int]:
        if not case_ids:
            return {}
        rows = session.execute(
            select(Message.case_id, func.count())
            .where(Message.case_id.in_(case_ids))
            .group_by(Message.case_id)
        ).all()
        return {case_id: count for case_id, count in rows}

    def _info(self, session: Session, case: Case, count: int | None = None) -> CaseInfo:
        if count is None:
            count = self._counts(session, [case.id]).get(case.id, 0)
        return CaseInfo(
            diarienummer=case.diarienummer,
            conversation_id=case.conversation_id,
            registered_at=case.registered_at,
            channel=case.channel,
            sender=case.sender,
            subject=case.subject,
            status=case.status,
            handled_by=case.handled_by,
            closed_at=case.closed_at,
            last_activity_at=case.last_activity_at,
            retention_category=case.retention_category,
            message_count=count,
        )


_registers: dict[str | None, Register] = {}


def get_register(url: str | None = None) -> Register:
    """The process-wide register for ``url`` (default: KC_DATABASE_URL / var/ SQLite)."""
    register = _registers.get(url)
    if register is None:
        register = _registers[url] = Register(url)
    return register
