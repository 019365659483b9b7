"""Periods ("i helgen", "i påsk"), relative moments ("om en timme") and morning words."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from kontaktcenter.clock import STOCKHOLM
from kontaktcenter.dates import parse_date_expression
from kontaktcenter.dates.periods import Period, parse_period

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("har ni öppet i helgen?", MONDAY, date(2026, 12, 5), date(2026, 12, 6)),
        ("i helgen", date(2026, 12, 5), date(2026, 12, 5), date(2026, 12, 6)),  # Saturday
        ("i helgen", date(2026, 12, 6), date(2026, 12, 6), date(2026, 12, 6)),  # Sunday
        ("nästa helg", MONDAY, date(2026, 12, 12), date(2026, 12, 13)),
        ("nästa vecka", MONDAY, date(2026, 12, 7), date(2026, 12, 13)),
        ("i påsk", MONDAY, date(2027, 3, 25), date(2027, 3, 29)),
        ("över påsken", date(2027, 3, 29), date(2027, 3, 25), date(2027, 3, 29)),
        ("i påsk", date(2027, 3, 30), date(2028, 4, 13), date(2028, 4, 17)),
        ("hur har ni öppet i jul", MONDAY, date(2026, 12, 24), date(2026, 12, 26)),
        ("i jul", date(2026, 12, 27), date(2027, 12, 24), date(2027, 12, 26)),
        ("mellandagarna", MONDAY, date(2026, 12, 27), date(2026, 12, 30)),
        ("mellan jul och nyår", MONDAY, date(2026, 12, 27), date(2026, 12, 30)),
        ("över nyår", MONDAY, date(2026, 12, 31), date(2027, 1, 1)),
        ("valborg", MONDAY, date(2027, 4, 30), date(2027, 5, 1)),
        ("i midsommar", MONDAY, date(2027, 6, 25), date(2027, 6, 26)),
        ("jul och nyår", MONDAY, date(2026, 12, 24), date(2027, 1, 1)),
    ],
)
def test_periods(text: str, today: date, start: date, end: date) -> None:
    period = parse_period(text, today)
    assert period is not None and (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["julafton", "påskdagen", "midsommarafton", "på fredag", "", "juli", "helgdag"]
)
def test_single_days_and_other_words_are_not_periods(text: str) -> None:
    assert parse_period(text, MONDAY) is None


def test_period_iso_round_trip_and_bounds() -> None:
    period = Period(date(2026, 12, 5), date(2026, 12, 6), "i helgen")
    assert Period.from_iso(period.iso, "i helgen") == period
    assert Period.from_iso("2026-12-06/2026-12-05") is None
    assert Period.from_iso("2026-01-01/2026-12-31") is None
    assert Period.from_iso("junk") is None


NOW = datetime(2026, 12, 3, 17, 30, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("om en timme", datetime(2026, 12, 3, 18, 30)),
        ("har ni öppet om en halvtimme?", datetime(2026, 12, 3, 18, 0)),
        ("om en kvart", datetime(2026, 12, 3, 17, 45)),
        ("om 20 minuter", datetime(2026, 12, 3, 17, 50)),
        ("om tre timmar", datetime(2026, 12, 3, 20, 30)),
        ("om sju timmar", datetime(2026, 12, 4, 0, 30)),
    ],
)
def test_relative_moments(text: str, expected: datetime) -> None:
    parsed = parse_date_expression(text, NOW)
    assert (parsed.date, parsed.time) == (expected.date(), expected.time())


def test_relative_words_without_om_or_in_the_past_are_not_moments() -> None:
    assert not parse_date_expression("en timme", NOW).found
    assert not parse_date_expression("om 500 timmar", NOW).found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("är ni öppna kl 7 imorgon bitti?", time(7, 0)),
        ("halv åtta imorgon bitti", time(7, 30)),
        ("kl 7 på morgonen", time(7, 0)),
        ("kl 7", time(19, 0)),
        ("kl 17 imorgon bitti", time(17, 0)),
    ],
)
def test_morning_words_keep_short_hours_in_the_morning(text: str, expected: time) -> None:
    assert parse_date_expression(text, NOW).time == expected
