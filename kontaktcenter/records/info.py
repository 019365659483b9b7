"""Plain read-only views of cases and messages handed to callers (no ORM objects leak)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kontaktcenter.records.states import label
from kontaktcenter.records.text import iso


@dataclass(frozen=True)
class CaseInfo:
    """The registration data of one ärende."""

    diarienummer: str
    conversation_id: str | None
    registered_at: datetime
    channel: str | None
    sender: str
    subject: str
    status: str  # a code of kontaktcenter.records.states.State
    handled_by: str | None
    closed_at: datetime | None
    last_activity_at: datetime | None
    retention_category: str
    message_count: int = 0

    @property
    def status_label(self) -> str:
        """The status in Swedish, for staff and release copies (stored as a code)."""
        return label(self.status)

    def to_dict(self) -> dict[str, object]:
        return {
            "diarienummer": self.diarienummer,
            "conversation_id": self.conversation_id,
            "registered_at": iso(self.registered_at),
            "channel": self.channel,
            "sender": self.sender,
            "subject": self.subject,
            "status": self.status,
            "status_label": self.status_label,
            "handled_by": self.handled_by,
            "closed_at": iso(self.closed_at),
            "last_activity_at": iso(self.last_activity_at),
            "retention_category": self.retention_category,
            "message_count": self.message_count,
        }


@dataclass(frozen=True)
class MessageInfo:
    """One message; ``text`` is masked unless the view was made by ``read_original``."""

    seq: int
    sender_role: str
    sender_name: str | None
    sent_at: datetime
    text: str
    masked: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "sender_role": self.sender_role,
            "sender_name": self.sender_name,
            "sent_at": iso(self.sent_at),
            "text": self.text,
            "masked": self.masked,
        }


@dataclass(frozen=True)
class NoteInfo:
    """One note as staff and release copies see it (masked unless read as original)."""

    written_at: datetime
    author: str
    text: str
    masked: bool

    def to_dict(self) -> dict[str, object]:
        return {"written_at": iso(self.written_at), "author": self.author, "text": self.text,
                "masked": self.masked}


@dataclass(frozen=True)
class CaseDetail:
    case: CaseInfo
    messages: list[MessageInfo] = field(default_factory=list)
    originals: bool = False  # True: texts are unmasked originals (audited read)
    notes: list[NoteInfo] = field(default_factory=list)  # anteckningar, staff only

    def to_dict(self) -> dict[str, object]:
        return {
            "case": self.case.to_dict(),
            "messages": [m.to_dict() for m in self.messages],
            "originals": self.originals,
            "notes": [n.to_dict() for n in self.notes],
        }
