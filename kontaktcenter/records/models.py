"""Tables of the public-record register (allmän handling).

One row in ``cases`` per conversation session (ärende), its messages in order, the
unmasked originals kept apart, a number counter per year, the audit log of every read
of an original and every release, the disposal log that is itself never disposed, and
the resident's answer to "Fick du hjälp?" (one per ärende).
Times are stored as naive UTC and handed back as aware UTC (:class:`UTCDateTime`), so
SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from kontaktcenter.db.base import Base


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC out; stored as naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Case(Base):
    """An ärende: the registration data OSL 5 kap. 2 § asks for, plus handling state."""

    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    diarienummer = Column(String(20), nullable=False, unique=True)
    year = Column(Integer, nullable=False)
    seq = Column(Integer, nullable=False)
    # Rasa sender id; several sessions of one conversation are several cases.
    conversation_id = Column(String(255), nullable=True, index=True)
    # Identifies the session that opened the case, so opening is idempotent.
    session_key = Column(String(255), nullable=True, unique=True)
    registered_at = Column(UTCDateTime(), nullable=False, index=True)
    channel = Column(String(50), nullable=True)
    sender = Column(String(200), nullable=False)
    subject = Column(String(500), nullable=False)
    subject_folded = Column(String(500), nullable=False)
    topics = Column(Text, nullable=False, default="")
    # A code of kontaktcenter.records.states.State; its Swedish label is for display.
    status = Column(String(30), nullable=False, index=True)
    handled_by = Column(String(200), nullable=True)  # "Anna Andersson (anna)"
    closed_at = Column(UTCDateTime(), nullable=True)
    # What the kommunvägledare noted when closing (a callback marked handled).
    closing_note = Column(Text, nullable=True)
    last_activity_at = Column(UTCDateTime(), nullable=True)
    retention_category = Column(String(100), nullable=False)

    __table_args__ = (UniqueConstraint("year", "seq", name="uq_cases_year_seq"),)


class Message(Base):
    """One message of a case, masked; the original lives in :class:`MessageOriginal`."""

    __tablename__ = "case_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq = Column(Integer, nullable=False)
    sender_role = Column(String(30), nullable=False)
    sender_name = Column(String(200), nullable=True)
    sent_at = Column(UTCDateTime(), nullable=False)
    text = Column(Text, nullable=False)
    # Case-folded masked text: SQLite's lower() only folds ASCII (Ö, Å, Ä).
    text_folded = Column(Text, nullable=False)
    intent = Column(String(100), nullable=True)
    # NLU confidence of ``intent``, and DIET's best real intent when ``intent`` is the
    # fallback: what the statistics and "Obesvarade frågor" group by.
    intent_confidence = Column(Float, nullable=True)
    predicted_intent = Column(String(100), nullable=True)
    event_key = Column(String(64), nullable=False, unique=True)

    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_case_messages_case_id_seq"),
        # Statistics (migration 0006_insights): "did the resident write?" per case, and
        # resident messages over a period answered from the index alone.
        Index("ix_case_messages_case_role", "case_id", "sender_role"),
        Index(
            "ix_case_messages_role_time",
            "sender_role", "sent_at", "intent", "intent_confidence", "predicted_intent",
        ),
    )


class MessageOriginal(Base):
    """The unmasked text, only where masking changed something; read via the audit path."""

    __tablename__ = "message_originals"

    message_id = Column(
        Integer, ForeignKey("case_messages.id", ondelete="CASCADE"), primary_key=True
    )
    text = Column(Text, nullable=False)


class CaseNumberCounter(Base):
    """Last diarienummer sequence used per year; locked while a case is inserted."""

    __tablename__ = "case_number_counters"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_seq = Column(Integer, nullable=False)


class AuditEntry(Base):
    """Who read an original or released a copy, when, of what and why."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, index=True)
    actor = Column(String(200), nullable=False)
    role = Column(String(100), nullable=True)
    action = Column(String(100), nullable=False)
    diarienummer = Column(String(20), nullable=True, index=True)
    reason = Column(Text, nullable=True)


class DisposalEntry(Base):
    """One disposed case; this table is never disposed."""

    __tablename__ = "disposal_log"

    id = Column(Integer, primary_key=True)
    diarienummer = Column(String(20), nullable=False, index=True)
    disposed_at = Column(UTCDateTime(), nullable=False)
    decision = Column(String(500), nullable=False)
    category = Column(String(100), nullable=False)
    action = Column(String(30), nullable=False)
    performed_by = Column(String(200), nullable=False)


class Satisfaction(Base):
    """The resident's answer to "Fick du hjälp?": at most one per ärende, kept with it."""

    __tablename__ = "satisfaction_answers"

    id = Column(Integer, primary_key=True)
    case_id = Column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    diarienummer = Column(String(20), nullable=False, index=True)
    score = Column(Integer, nullable=False)
    # Masked with the register's masker before storage, like every message.
    comment = Column(Text, nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, index=True)
