"""Staff-facing storage of opening-hour deviations: list, add, update, remove.

One session per unit of work through :func:`kontaktcenter.db.get_database`. Every
successful write notifies subscribers (the calendar's cache) so that the bot answers
with the new hours at once.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from kontaktcenter import clock
from kontaktcenter.calendar.clock import Clock, system_now
from kontaktcenter.calendar.exceptions import OpeningException, validate_exception
from kontaktcenter.calendar.models import OpeningExceptionRecord
from kontaktcenter.db.engine import Database

logger = logging.getLogger(__name__)
AUTHOR_LENGTH = 200


@dataclass(frozen=True)
class ExceptionEntry:
    """A deviation as staff see it: who added it, who changed it last, and when."""

    exception: OpeningException
    created_by: str
    updated_by: str
    updated_at: datetime


def _author(by: str | None) -> str | None:
    text = " ".join(str(by or "").split())[:AUTHOR_LENGTH]
    return text or None


def _to_domain(row: OpeningExceptionRecord) -> OpeningException:
    return OpeningException(
        day=row.day,
        closed=bool(row.closed),
        opens=row.opens,
        closes=row.closes,
        note=row.note or "",
    )


class ExceptionRepository:
    """CRUD for ``opening_exceptions`` with validation and Swedish error messages."""

    def __init__(self, db: Database, now: Clock = system_now) -> None:
        self._db = db
        self._now = now
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every successful write (cache invalidation)."""
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in self._subscribers:
            callback()

    def list(self, from_date: date | None = None, to_date: date | None = None) -> list[
        OpeningException
    ]:
        """Deviations between ``from_date`` and ``to_date`` (both inclusive), by date."""
        query = select(OpeningExceptionRecord).order_by(OpeningExceptionRecord.day)
        if from_date is not None:
            query = query.where(OpeningExceptionRecord.day >= from_date)
        if to_date is not None:
            query = query.where(OpeningExceptionRecord.day <= to_date)
        with self._db.session() as session:
            return [_to_domain(row) for row in session.execute(query).scalars()]

    def entries(self, from_date: date, to_date: date) -> builtins.list[ExceptionEntry]:
        """Like :meth:`list`, with each deviation's authors (for the staff console)."""
        query = (
            select(OpeningExceptionRecord)
            .where(OpeningExceptionRecord.day >= from_date, OpeningExceptionRecord.day <= to_date)
            .order_by(OpeningExceptionRecord.day)
        )
        with self._db.session() as session:
            return [
                ExceptionEntry(
                    exception=_to_domain(row),
                    created_by=row.created_by or "",
                    updated_by=row.updated_by or row.created_by or "",
                    updated_at=row.updated_at,
                )
                for row in session.execute(query).scalars()
            ]

    def get(self, day: date) -> OpeningException | None:
        with self._db.session() as session:
            row = self._row(session, day)
            return _to_domain(row) if row is not None else None

    @staticmethod
    def _row(session, day: date) -> OpeningExceptionRecord | None:  # type: ignore[no-untyped-def]
        query = select(OpeningExceptionRecord).where(OpeningExceptionRecord.day == day)
        return session.execute(query).scalar_one_or_none()

    def _validate(self, day: date, closed: bool, opens: time | None, closes: time | None,
                  note: str | None) -> OpeningException:
        return validate_exception(
            day, closed=closed, opens=opens, closes=closes, note=note, today=self._now().date()
        )

    def add(self, day: date, *, closed: bool = False, opens: time | None = None,
            closes: time | None = None, note: str | None = None,
            by: str | None = None) -> OpeningException:
        """Add a deviation; refuses a date that already has one (use :meth:`update`)."""
        item = self._validate(day, closed, opens, closes, note)
        stamp = clock.now_utc()
        with self._db.session() as session:
            if self._row(session, day) is not None:
                raise ValueError(
                    f"Det finns redan en avvikelse för {day.isoformat()}. Ändra eller ta bort den."
                )
            session.add(OpeningExceptionRecord(
                day=item.day, closed=item.closed, opens=item.opens, closes=item.closes,
                note=item.note, created_at=stamp, updated_at=stamp,
                created_by=_author(by), updated_by=_author(by),
            ))
            try:
                session.flush()
            except IntegrityError:  # another writer added the same date meanwhile
                raise ValueError(
                    f"Det finns redan en avvikelse för {day.isoformat()}. Ändra eller ta bort den."
                ) from None
        self._changed()
        return item

    def update(self, day: date, *, closed: bool = False, opens: time | None = None,
               closes: time | None = None, note: str | None = None,
               by: str | None = None) -> OpeningException:
        """Replace the deviation of ``day``; refuses a date that has none."""
        item = self._validate(day, closed, opens, closes, note)
        with self._db.session() as session:
            row = self._row(session, day)
            if row is None:
                raise ValueError(f"Det finns ingen avvikelse registrerad för {day.isoformat()}.")
            row.closed, row.opens, row.closes, row.note = (
                item.closed, item.opens, item.closes, item.note
            )
            row.updated_at = clock.now_utc()
            row.updated_by = _author(by)
        self._changed()
        return item

    def put(self, day: date, *, closed: bool = False, opens: time | None = None,
            closes: time | None = None, note: str | None = None,
            by: str | None = None) -> tuple[OpeningException, bool]:
        """Add or replace the deviation of ``day``; returns it and whether it replaced one."""
        item = self._validate(day, closed, opens, closes, note)
        stamp = clock.now_utc()
        with self._db.session() as session:
            row = self._row(session, day)
            replaced = row is not None
            if row is None:
                row = OpeningExceptionRecord(day=item.day, created_at=stamp,
                                             created_by=_author(by))
                session.add(row)
            row.closed, row.opens, row.closes, row.note = (
                item.closed, item.opens, item.closes, item.note
            )
            row.updated_at = stamp
            row.updated_by = _author(by)
            try:
                session.flush()
            except IntegrityError:
                raise ValueError(
                    f"Avvikelsen för {day.isoformat()} ändrades samtidigt av någon annan. "
                    "Försök igen."
                ) from None
        self._changed()
        return item, replaced

    def remove(self, day: date, by: str | None = None) -> bool:
        """Delete the deviation of ``day``; False when there was none.

        The row is gone afterwards, so who removed it is written to the log.
        """
        with self._db.session() as session:
            result = session.execute(
                delete(OpeningExceptionRecord).where(OpeningExceptionRecord.day == day)
            )
            removed = bool(result.rowcount)
        if removed:
            logger.info(
                "Avvikelsen för %s togs bort av %s.", day.isoformat(), _author(by) or "okänd"
            )
            self._changed()
        return removed
