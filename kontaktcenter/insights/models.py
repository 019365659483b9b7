"""Staff decisions on missed questions ("Obesvarade frågor"), one per message."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from kontaktcenter.db.base import Base
from kontaktcenter.records.models import UTCDateTime


class MissedQuestionReview(Base):
    """What a kommunvägledare decided about a message the bot did not understand.

    Deleted with its message (disposal), so no review outlives the text it judged.
    """

    __tablename__ = "missed_question_reviews"

    id = Column(Integer, primary_key=True)
    message_id = Column(
        Integer,
        ForeignKey("case_messages.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    )
    decision = Column(String(30), nullable=False, index=True)
    intent = Column(String(100), nullable=True)  # for "ny formulering för avsikt X"
    decided_by = Column(String(100), nullable=False)
    decided_at = Column(UTCDateTime(), nullable=False)
