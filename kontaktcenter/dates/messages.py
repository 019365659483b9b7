"""Error kinds for impossible dates and times, and the Swedish question the bot asks back."""

from __future__ import annotations

from datetime import date
from enum import Enum

from kontaktcenter.dates.vocabulary import MONTH_NAMES, WEEKDAY_NAMES


class DateErrorKind(str, Enum):
    """Why a written date or time cannot be used; the value is the ``date_error`` entity."""

    NO_SUCH_DAY = "no_such_day"  # "31 februari", "30/2", "den 45:e", "32 dec"
    NO_SUCH_MONTH = "no_such_month"  # "2026-13-01", "24/13"
    WEEKDAY_MISMATCH = "weekday_mismatch"  # "fredag 24 december 2026" (a Thursday)
    NO_SUCH_TIME = "no_such_time"  # "kl 25", "kl 17.75"
    OUT_OF_RANGE = "out_of_range"  # "9999-12-31", "år 0001": no calendar to answer from


# Years the opening-hours calendar answers for. Holidays are computed a year either side
# of the day asked about, so the edges of Python's date range (1 and 9999) would crash;
# nobody needs the hours of another century.
MIN_YEAR = 1900
MAX_YEAR = 2199


# One message per kind, for callers that only have the kind (e.g. a date_error entity).
ERROR_MESSAGES: dict[DateErrorKind, str] = {
    DateErrorKind.NO_SUCH_DAY: "Jag hittar inget sådant datum. Vilket datum menar du?",
    DateErrorKind.NO_SUCH_MONTH: (
        "Det finns bara tolv månader, så jag förstår inte vilket datum du menar. "
        "Vilket datum menar du?"
    ),
    DateErrorKind.WEEKDAY_MISMATCH: (
        "Veckodagen och datumet du skrev stämmer inte överens. Vilket datum menar du?"
    ),
    DateErrorKind.NO_SUCH_TIME: (
        "Jag hittar ingen sådan tid. Vilken tid menar du? Skriv till exempel 14.30."
    ),
    DateErrorKind.OUT_OF_RANGE: (
        f"Jag kan bara svara om öppettider för åren {MIN_YEAR}–{MAX_YEAR}. "
        "Vilket datum menar du?"
    ),
}


def year_supported(year: int) -> bool:
    """True for years the calendar can answer about (see MIN_YEAR, MAX_YEAR)."""
    return MIN_YEAR <= year <= MAX_YEAR


def error_message(kind: DateErrorKind | str) -> str:
    """The general Swedish follow-up question for an error kind (or its string value)."""
    try:
        return ERROR_MESSAGES[DateErrorKind(kind)]
    except ValueError:
        return "Jag förstod inte vilket datum du menar. Vilket datum menar du?"


def _ordinal(day: int) -> str:
    """Swedish ordinal in digits: 1:a, 2:a, 3:e, 21:a, 22:a, 45:e."""
    return f"{day}:a" if day % 10 in (1, 2) and day % 100 not in (11, 12) else f"{day}:e"


def no_such_day_message(day: int, month: int | None, year: int | None) -> str:
    """E.g. "Jag hittar inget datum som heter 31 februari. Vilket datum menar du?"."""
    if month is None:
        return f"Ingen månad har någon {_ordinal(day)} dag. Vilket datum menar du?"
    written = f"{day} {MONTH_NAMES[month - 1]}" + (f" {year}" if year is not None else "")
    return f"Jag hittar inget datum som heter {written}. Vilket datum menar du?"


def no_such_month_message(month: int) -> str:
    """E.g. "Det finns ingen månad nummer 13 …"."""
    return f"Det finns ingen månad nummer {month}, året har tolv månader. Vilket datum menar du?"


def weekday_mismatch_message(day: date, written_weekday: int) -> str:
    """E.g. "Den 24 december 2026 är en torsdag, inte en fredag. Vilket datum menar du?"."""
    return (
        f"Den {day.day} {MONTH_NAMES[day.month - 1]} {day.year} är en "
        f"{WEEKDAY_NAMES[day.weekday()]}, inte en {WEEKDAY_NAMES[written_weekday]}. "
        "Vilket datum menar du?"
    )


def no_such_time_message(hour: int, minute: int) -> str:
    """E.g. "Klockan 25.00 finns inte. Vilken tid menar du? …"."""
    return (
        f"Klockan {hour:02d}.{minute:02d} finns inte. Vilken tid menar du? "
        "Skriv till exempel 14.30."
    )
