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

import holidays
import pytest
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


# -- an independent oracle: the seed's week, Swedish red days and the three closed eves --

SEED_WEEK = {0: (time(8), time(17)), 1: (time(8), time(17)), 2: (time(8), time(17)),
             3: (time(8), time(18)), 4: (time(8), time(17))}  # "Måndag–onsdag 08–17" …


def oracle_hours(day: date) -> tuple[time, time] | None:
    """What the city's page and lag (1989:253) say, computed without the product's code."""
    exception = EXCEPTIONS.exceptions().get(day)
    if exception is not None:
        return None if exception.closed else (exception.opens, exception.closes)
    red = holidays.Sweden(years=day.year, include_sundays=False)
    midsommarafton = day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4
    if day in red or (day.month, day.day) in ((12, 24), (12, 31)) or midsommarafton:
        return None
    return SEED_WEEK.get(day.weekday())


def oracle_next_opening(moment: datetime) -> datetime:
    local = to_local(moment)
    day = local.date()
    while True:
        hours = oracle_hours(day)
        if hours is not None:
            opening = datetime.combine(day, hours[0], tzinfo=STOCKHOLM)
            if utc(opening) > utc(local):
                return opening
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(instants)
def test_status_agrees_with_the_seed_and_the_red_days(moment: datetime) -> None:
    local = to_local(moment)
    hours = oracle_hours(local.date())
    should_be_open = hours is not None and hours[0] <= local.time() < hours[1]
    status = CAL.status(moment)
    assert status.is_open is should_be_open
    if should_be_open:
        assert utc(status.closes_at) == utc(datetime.combine(local.date(), hours[1], tzinfo=STOCKHOLM))
    else:
        assert status.closes_at is None
    assert utc(status.next_opening) == utc(oracle_next_opening(moment))
    assert status.next_opening_day.day == to_local(status.next_opening).date()


@pytest.mark.parametrize(
    ("moment", "is_open", "next_opening"),
    [
        ("2026-12-03T17:30", True, "2026-12-04T08:00"),  # Thursday 17.30: open till 18
        ("2026-12-04T17:30", False, "2026-12-07T08:00"),  # Friday 17.30: weekend follows
        ("2027-12-24T10:00", False, "2027-12-27T08:00"),  # julafton, juldagen, helg
        ("2027-06-25T10:00", False, "2027-06-28T08:00"),  # midsommarafton
        ("2027-01-05T10:00", True, "2027-01-07T08:00"),  # trettondagsafton: day before red day
    ],
)
def test_known_days(moment: str, is_open: bool, next_opening: str) -> None:
    at = datetime.fromisoformat(moment).replace(tzinfo=STOCKHOLM)
    status = CAL.status(at)
    assert status.is_open is is_open
    assert status.next_opening == datetime.fromisoformat(next_opening).replace(tzinfo=STOCKHOLM)
