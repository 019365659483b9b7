"""Property-based checks over any instant 2024–2030, aware (any offset) or naive.

Definitions under test:
- ``next_opening(t)`` is the start of the next opening period *strictly after* ``t``
  (when open at ``t`` it is the following period, not the current one); the office is
  open at that instant and closed just before it.
- ``next_closing(t)`` is None when closed; when open it is strictly later than ``t``,
  the office is open just before it and closed at it.
- ``is_open(t)`` agrees with ``hours_on`` of ``t``'s Stockholm date: opens <= time < closes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kontaktcenter.calendar import (
    STOCKHOLM,
    OpeningCalendar,
    OpeningException,
    StaticExceptions,
    load_hours_config,
    to_local,
)

CONFIG = load_hours_config(Path(__file__).resolve().parents[2] / "config" / "opening_hours.yml")
EXCEPTIONS = StaticExceptions([
    OpeningException(date(2026, 12, 25), False, time(10), time(14)),
    OpeningException(date(2026, 12, 1), True),
    OpeningException(date(2027, 3, 29), False, time(0), time(23, 59)),
    OpeningException(date(2028, 10, 29), False, time(1), time(4)),  # across the DST fold
])
CAL = OpeningCalendar(CONFIG, EXCEPTIONS)
ONE_MICRO = timedelta(microseconds=1)

naive_instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31))
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)
aware_instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone), naive_instants, offsets
)
stockholm_instants = naive_instants.map(lambda moment: moment.replace(tzinfo=STOCKHOLM))
instants = st.one_of(naive_instants, aware_instants, stockholm_instants)


def utc(moment: datetime) -> datetime:
    """Compare instants, not wall times (naive inputs mean Stockholm time)."""
    return to_local(moment).astimezone(timezone.utc)


@settings(max_examples=400, deadline=None)
@given(instants)
def test_next_opening_is_strictly_later_and_open(moment: datetime) -> None:
    opening = CAL.next_opening(moment)
    assert opening is not None
    assert utc(opening) > utc(moment)
    assert CAL.is_open(opening)
    assert not CAL.is_open(opening - ONE_MICRO)
    assert opening.tzinfo is STOCKHOLM


@settings(max_examples=400, deadline=None)
@given(instants)
def test_is_open_agrees_with_hours_on(moment: datetime) -> None:
    wall = to_local(moment)
    hours = CAL.hours_on(wall.date())
    expected = hours.opens is not None and hours.opens <= wall.time() < hours.closes
    assert CAL.is_open(moment) is expected
    assert CAL.hours_on(moment) == hours


@settings(max_examples=400, deadline=None)
@given(instants)
def test_next_closing_when_open(moment: datetime) -> None:
    closing = CAL.next_closing(moment)
    if not CAL.is_open(moment):
        assert closing is None
        return
    assert closing is not None
    assert utc(closing) > utc(moment)
    assert CAL.is_open(closing - ONE_MICRO)
    assert not CAL.is_open(closing)


@settings(max_examples=200, deadline=None)
@given(instants)
def test_status_is_consistent(moment: datetime) -> None:
    status = CAL.status(moment)
    assert status.is_open is CAL.is_open(moment)
    assert status.next_opening == CAL.next_opening(moment)
    assert status.closes_at == CAL.next_closing(moment)
    assert status.today.day == to_local(moment).date()
    assert status.next_opening_day.day == status.next_opening.date()
