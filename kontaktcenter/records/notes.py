"""Internal notes (anteckningar) on an ärende: part of the ärende, never shown to the resident.

A kommunvägledare writes them in the console. They belong to the public record, so they
are kept in the register with author (full name and username) and time, masked like
messages (the unmasked text kept apart, read only through the audited original view),
included masked in release copies, and removed when the ärende is disposed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import Session

from kontaktcenter.clock import now_utc
from kontaktcenter.db.base import Base
from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.base import RegisterBase, aware
from kontaktcenter.records.info import NoteInfo
from kontaktcenter.records.models import UTCDateTime
from kontaktcenter.records.states import State
from kontaktcenter.records.text import one_line

MAX_NOTE_CHARS = 4000


class CaseNote(Base):
    """One anteckning; ``text`` is masked, ``original`` set only where masking changed it."""

    __tablename__ = "case_notes"

    id = Column(Integer, primary_key=True)
    case_id = Column(
        Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    written_at = Column(UTCDateTime(), nullable=False)
    author = Column(String(200), nullable=False)  # "Anna Andersson (anna)"
    text = Column(Text, nullable=False)
    original = Column(Text, nullable=True)


def clean_note(text: str) -> str:
    """The note as it will be stored; a Swedish ValueError for empty or too long notes."""
    cleaned = "\n".join(line.rstrip() for line in str(text or "").strip().splitlines())
    if not cleaned:
        raise ValueError("Skriv anteckningen först.")
    if len(cleaned) > MAX_NOTE_CHARS:
        raise ValueError(f"Anteckningen är för lång (högst {MAX_NOTE_CHARS} tecken).")
    return cleaned


def notes_of(session: Session, case_id: int, *, originals: bool = False) -> list[NoteInfo]:
    """The notes of one ärende in the order written; ``originals`` unmasks them."""
    rows = session.execute(
        select(CaseNote).where(CaseNote.case_id == case_id)
        .order_by(CaseNote.written_at, CaseNote.id)
    ).scalars()
    return [
        NoteInfo(n.written_at, n.author, (n.original or n.text) if originals else n.text,
                 n.original is not None and not originals)
        for n in rows
    ]


def remove_notes(session: Session, case_id: int) -> None:
    """Disposal: notes go with the messages (they may name the resident)."""
    session.execute(
        delete(CaseNote).where(CaseNote.case_id == case_id),
        execution_options={"synchronize_session": False},
    )


class Notes(RegisterBase):
    """The register's side of notes: writing one and listing an ärende's notes."""

    def add_note(
        self, diarienummer: str, author: str, text: str, *, at: datetime | None = None
    ) -> NoteInfo:
        """Record a note on the ärende; refused (ValueError) once it is disposed."""
        number = v.normalise_diarienummer(diarienummer)
        who = one_line(author, 200)
        if not who:
            raise ValueError("Anteckningen måste ha en författare.")
        cleaned = clean_note(text)
        at = aware(at, "Tiden") if at else now_utc()
        masked = self.masker.mask(cleaned)
        with write_session(self.db) as session:
            case = self._case_by_number(session, number, lock=True)
            if case.status == State.DISPOSED.value:
                raise ValueError("Ärendet är gallrat och kan inte få fler anteckningar.")
            session.add(CaseNote(
                case_id=case.id, written_at=at, author=who, text=masked.text,
                original=cleaned if masked.changed else None,
            ))
        return NoteInfo(at, who, masked.text, masked.changed)

    def notes(self, diarienummer: str) -> list[NoteInfo]:
        """The ärende's notes, masked; CaseNotFound if there is no such ärende."""
        number = v.normalise_diarienummer(diarienummer)
        with self.db.session() as session:
            case = self._case_by_number(session, number)
            return notes_of(session, case.id)
