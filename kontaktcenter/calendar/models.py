"""SQL table of staff-maintained opening-hour deviations (one row per date)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Date, DateTime, Integer, String, Time

from kontaktcenter.db.base import Base

NOTE_COLUMN_LENGTH = 300


class OpeningExceptionRecord(Base):
    """A date whose hours differ: closed, or open ``opens``–``closes``; ``note`` is public."""

    __tablename__ = "opening_exceptions"
    __table_args__ = (
        CheckConstraint(
            "(closed AND opens IS NULL AND closes IS NULL)"
            " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name="hours_consistent",
        ),
    )

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, unique=True)
    closed = Column(Boolean, nullable=False, default=False)
    opens = Column(Time, nullable=True)
    closes = Column(Time, nullable=True)
    note = Column(String(NOTE_COLUMN_LENGTH), nullable=False, default="")
    # UTC; set by the repository so that staff can see when a deviation was changed.
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    # Who added the deviation and who changed it last (staff username and name).
    created_by = Column(String(200), nullable=True)
    updated_by = Column(String(200), nullable=True)

    def __repr__(self) -> str:
        state = "stängt" if self.closed else f"{self.opens}–{self.closes}"
        return f"<OpeningExceptionRecord {self.day} {state}>"
