"""Tables of the handover: the queue of ärenden waiting for a person, and callbacks."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text

from kontaktcenter.db.base import Base
from kontaktcenter.records.models import UTCDateTime


class HandoverRecord(Base):
    """One request for a kommunvägledare in one conversation, from queue to close."""

    __tablename__ = "handovers"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    diarienummer = Column(String(20), nullable=True, index=True)
    channel = Column(String(50), nullable=True)
    concern = Column(String(300), nullable=False, default="")
    # The same state machine as the ärende (kontaktcenter.records.states), as a code.
    status = Column(String(40), nullable=False, index=True)
    requested_at = Column(UTCDateTime(), nullable=False, index=True)
    # When it (re-)entered the queue; the wait time and the timeout count from here.
    queued_at = Column(UTCDateTime(), nullable=False)
    assigned_to = Column(String(100), nullable=True)  # username of a named colleague
    agent_username = Column(String(100), nullable=True)
    agent_name = Column(String(100), nullable=True)  # the account's full name
    taken_at = Column(UTCDateTime(), nullable=True)
    ended_at = Column(UTCDateTime(), nullable=True)
    ended_by = Column(String(100), nullable=True)
    # When the resident was last seen typing (throttled; kontaktcenter.desk.typing).
    resident_typing_at = Column(UTCDateTime(), nullable=True)
    # When the resident ended the conversation in the web chat (the agent is told).
    resident_left_at = Column(UTCDateTime(), nullable=True)


class CallbackRecord(Base):
    """A message left while the chat was not staffed: question and how to reach the resident."""

    __tablename__ = "callbacks"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    diarienummer = Column(String(20), nullable=True, index=True)
    question = Column(Text, nullable=False)
    contact_kind = Column(String(20), nullable=False)
    contact = Column(String(254), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, index=True)
    handled_at = Column(UTCDateTime(), nullable=True)
    handled_by = Column(String(100), nullable=True)
    note = Column(Text, nullable=True)
