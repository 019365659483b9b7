"""Diarienummer allocation: unique and without gaps within a year.

The counter row of the year is locked in the same transaction that inserts the case,
so a rolled-back insert also rolls back its number. PostgreSQL: ``SELECT … FOR
UPDATE``. SQLite: the whole write transaction is ``BEGIN IMMEDIATE``
(see :mod:`kontaktcenter.db.transactions`), which serialises writers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kontaktcenter.records.models import CaseNumberCounter
from kontaktcenter.records.vocabulary import format_diarienummer


def _locked_counter(session: Session, year: int) -> CaseNumberCounter | None:
    stmt = select(CaseNumberCounter).where(CaseNumberCounter.year == year).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def allocate_number(session: Session, year: int) -> tuple[int, str]:
    """Next (seq, diarienummer) of ``year``; must run inside the inserting transaction."""
    counter = _locked_counter(session, year)
    if counter is None:
        try:
            with session.begin_nested():
                session.add(CaseNumberCounter(year=year, last_seq=0))
        except IntegrityError:
            pass  # another transaction created the row first; lock theirs below
        counter = _locked_counter(session, year)
        assert counter is not None
    counter.last_seq += 1
    session.flush()
    return counter.last_seq, format_diarienummer(year, counter.last_seq)
