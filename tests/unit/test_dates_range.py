"""Dates the calendar cannot answer for get a Swedish question back, never a crash."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kontaktcenter import hours_answers
from kontaktcenter.calendar import OpeningCalendar
from kontaktcenter.calendar.factory import get_hours_config
from kontaktcenter.dates import DateErrorKind, parse_date_expression
from kontaktcenter.dates.messages import MAX_YEAR, MIN_YEAR

NOW = datetime(2026, 12, 31, 23, 59, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
OUT_OF_RANGE = f"åren {MIN_YEAR}–{MAX_YEAR}"


@pytest.fixture(scope="module")
def calendar() -> OpeningCalendar:
    return OpeningCalendar(get_hours_config())


@pytest.mark.parametrize("text", ["Har ni öppet 9999-12-31?", "öppet 31/12 9999", "0001-01-01",
                                  "julafton 9999", "öppet 1 januari 1899", "24 december 2200"])
def test_years_beyond_the_calendar_are_an_error(text: str) -> None:
    parsed = parse_date_expression(text, NOW)
    assert parsed.error is DateErrorKind.OUT_OF_RANGE and parsed.date is None
    assert OUT_OF_RANGE in parsed.message


@pytest.mark.parametrize("text", ["Har ni öppet 9999-12-31?", "julafton 9999", "0001-01-01"])
def test_opening_hours_answer_instead_of_crashing(text: str, calendar: OpeningCalendar) -> None:
    assert OUT_OF_RANGE in hours_answers.opening_hours(calendar, text, NOW)


@pytest.mark.parametrize("entity", [[1], 5, {"a": 1}, "9999-12-31", "0001-01-01", "nonsense"])
def test_unusable_date_entities_are_ignored(entity: object, calendar: OpeningCalendar) -> None:
    reply = hours_answers.opening_hours(calendar, "öppettider?", NOW, date_entity=entity)  # type: ignore[arg-type]
    assert reply.startswith("Våra öppettider")


def test_edges_of_the_range_still_work(calendar: OpeningCalendar) -> None:
    assert "2199" in hours_answers.opening_hours(calendar, "öppet 31/12 2199", NOW)
    assert "1900" in hours_answers.opening_hours(calendar, "öppet 1/1 1900", NOW)
