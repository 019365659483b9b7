"""Snabbsvar: canned replies the staff maintain and insert into the reply box.

Each has a short keyword (typed as ``/keyword`` in the reply box to insert it) and the
text. They are shared by all staff; who last changed one is kept, as for opening-hour
exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError

from kontaktcenter.clock import now_utc
from kontaktcenter.db.base import Base
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.records.models import UTCDateTime
from kontaktcenter.records.text import one_line

MAX_TEXT_CHARS = 4000
MAX_RESPONSES = 500
_SHORTCUT_RE = re.compile(r"^[a-zåäö0-9][a-zåäö0-9_-]{0,39}$")
BAD_SHORTCUT = (
    "Kortordet får bara innehålla små bokstäver (a–ö), siffror, - och _ "
    "och vara högst 40 tecken, till exempel oppettider."
)


class CannedResponseRow(Base):
    __tablename__ = "canned_responses"

    id = Column(Integer, primary_key=True)
    shortcut = Column(String(40), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    updated_by = Column(String(200), nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False)


@dataclass(frozen=True)
class CannedResponse:
    id: int
    shortcut: str
    text: str
    updated_by: str
    updated_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "shortcut": self.shortcut, "text": self.text}


class CannedResponseNotFound(LookupError):
    def __str__(self) -> str:
        return "Snabbsvaret finns inte (längre)."


def clean_shortcut(value: str) -> str:
    shortcut = one_line(value, 100).lower().lstrip("/")
    if not _SHORTCUT_RE.match(shortcut):
        raise ValueError(BAD_SHORTCUT)
    return shortcut


def clean_text(value: str) -> str:
    text = "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())
    if not text:
        raise ValueError("Skriv snabbsvarets text.")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"Snabbsvaret är för långt (högst {MAX_TEXT_CHARS} tecken).")
    return text


def _view(row: CannedResponseRow) -> CannedResponse:
    return CannedResponse(row.id, row.shortcut, row.text, row.updated_by, row.updated_at)


class CannedResponses:
    """The shared snabbsvar; every method is one unit of work; errors are Swedish."""

    def __init__(self, db: Database | str | None = None) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)

    def list(self) -> list[CannedResponse]:
        with self.db.session() as session:
            rows = session.execute(
                select(CannedResponseRow).order_by(CannedResponseRow.shortcut)
            ).scalars()
            return [_view(r) for r in rows]

    def add(self, shortcut: str, text: str, by: str) -> CannedResponse:
        key, body, who = clean_shortcut(shortcut), clean_text(text), one_line(by, 200)
        try:
            with write_session(self.db) as session:
                count = len(session.execute(select(CannedResponseRow.id)).all())
                if count >= MAX_RESPONSES:
                    raise ValueError(f"Det finns redan {MAX_RESPONSES} snabbsvar; ta bort några.")
                row = CannedResponseRow(shortcut=key, text=body, updated_by=who,
                                        updated_at=now_utc())
                session.add(row)
                session.flush()
                return _view(row)
        except IntegrityError:
            raise ValueError(f"Det finns redan ett snabbsvar med kortordet /{key}.") from None

    def update(self, response_id: int, shortcut: str, text: str, by: str) -> CannedResponse:
        key, body, who = clean_shortcut(shortcut), clean_text(text), one_line(by, 200)
        try:
            with write_session(self.db) as session:
                row = session.get(CannedResponseRow, response_id)
                if row is None:
                    raise CannedResponseNotFound()
                row.shortcut, row.text, row.updated_by = key, body, who
                row.updated_at = now_utc()
                session.flush()
                return _view(row)
        except IntegrityError:
            raise ValueError(f"Det finns redan ett snabbsvar med kortordet /{key}.") from None

    def remove(self, response_id: int) -> None:
        with write_session(self.db) as session:
            row = session.get(CannedResponseRow, response_id)
            if row is None:
                raise CannedResponseNotFound()
            session.delete(row)
