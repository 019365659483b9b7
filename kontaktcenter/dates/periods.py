"""Periods residents ask about as a whole: "i helgen", "i påsk", "mellandagarna", "nästa vecka".

A period is answered day by day, so each resolves to an inclusive range of dates: the
next occurrence that has not ended yet, seen from ``today``. Single named days
("julafton", "påskdagen") are the date parser's job, not this module's: the patterns
below only match the words for the whole period.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.easter import easter

from kontaktcenter.dates.named_days import next_named_day
from kontaktcenter.dates.vocabulary import fold_text

MAX_PERIOD_DAYS = 14


@dataclass(frozen=True)
class Period:
    """An inclusive range of days and how to say it in a reply ("i påsk")."""

    start: date
    end: date
    name: str

    def days(self) -> list[date]:
        count = (self.end - self.start).days + 1
        return [self.start + timedelta(days=i) for i in range(min(count, MAX_PERIOD_DAYS))]

    @property
    def iso(self) -> str:
        """"2026-12-05/2026-12-06", the value of the ``period`` entity (ISO 8601 interval)."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @classmethod
    def from_iso(cls, value: str, name: str = "") -> Period | None:
        try:
            start_text, end_text = value.split("/", 1)
            start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
        except (ValueError, AttributeError):
            return None
        if end < start or (end - start).days >= MAX_PERIOD_DAYS:
            return None
        return cls(start, end, name)


def _yearly(build: Callable[[int], tuple[date, date]]) -> Callable[[date], tuple[date, date]]:
    """The first occurrence (this year or next) whose last day is today or later."""

    def resolve(today: date) -> tuple[date, date]:
        for year in (today.year, today.year + 1):
            start, end = build(year)
            if end >= today:
                return start, end
        return build(today.year + 1)

    return resolve


def _weekend(today: date, weeks_ahead: int = 0) -> tuple[date, date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6 and weeks_ahead == 0:
        return today, today
    if weeks_ahead:
        monday_next = today + timedelta(days=7 - today.weekday())
        saturday = monday_next + timedelta(days=5)
    return saturday, saturday + timedelta(days=1)


def _next_week(today: date) -> tuple[date, date]:
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


def _this_week(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=6 - today.weekday())


def _easter(year: int) -> tuple[date, date]:
    sunday = easter(year)
    return sunday - timedelta(days=3), sunday + timedelta(days=1)  # skärtorsdag–annandag


def _pentecost(year: int) -> tuple[date, date]:
    sunday = easter(year) + timedelta(days=49)
    return sunday - timedelta(days=1), sunday


def _midsummer(year: int) -> tuple[date, date]:
    eve = next_named_day("midsommarafton", date(year, 1, 1))
    assert eve is not None
    return eve, eve + timedelta(days=1)


_PREFIX = r"(?<!\w)(?:i\s+|over\s+|under\s+|till\s+|pa\s+|runt\s+|kring\s+)?"

# (pattern on folded text, Swedish name, resolver). Order matters: longer phrases first.
_PERIODS: list[tuple[re.Pattern[str], str, Callable[[date], tuple[date, date]]]] = [
    (
        re.compile(_PREFIX + r"(?:jul\s+och\s+nyar|julhelgerna|helgerna\s+i\s+jul)(?!\w)"),
        "i jul och nyår",
        _yearly(lambda y: (date(y, 12, 24), date(y + 1, 1, 1))),
    ),
    (
        re.compile(r"(?<!\w)(?:mellandagarna|mellandagar|mellan\s+jul\s+och\s+nyar)(?!\w)"),
        "i mellandagarna",
        _yearly(lambda y: (date(y, 12, 27), date(y, 12, 30))),
    ),
    (
        re.compile(_PREFIX + r"(?:julen|jul|julhelgen)(?!\w)"),
        "i jul",
        _yearly(lambda y: (date(y, 12, 24), date(y, 12, 26))),
    ),
    (
        re.compile(_PREFIX + r"(?:nyarshelgen|nyar)(?!\w)"),
        "över nyår",
        _yearly(lambda y: (date(y, 12, 31), date(y + 1, 1, 1))),
    ),
    (
        re.compile(_PREFIX + r"(?:paskhelgen|pasken|pask)(?!\w)"),
        "i påsk",
        _yearly(_easter),
    ),
    (
        re.compile(_PREFIX + r"(?:pingsthelgen|pingsten|pingst)(?!\w)"),
        "i pingst",
        _yearly(_pentecost),
    ),
    (
        re.compile(_PREFIX + r"(?:midsommarhelgen|midsommar)(?!\w)(?!\s*(?:afton|dagen))"),
        "i midsommar",
        _yearly(_midsummer),
    ),
    (
        re.compile(_PREFIX + r"(?:valborgshelgen|valborg)(?!\w)"),
        "under valborg",
        _yearly(lambda y: (date(y, 4, 30), date(y, 5, 1))),
    ),
    (
        re.compile(r"(?<!\w)(?:nasta|kommande)\s+helg(?:en)?(?!\w)"),
        "nästa helg",
        lambda today: _weekend(today, weeks_ahead=1),
    ),
    (
        re.compile(r"(?<!\w)(?:i\s+helgen|helgen|till\s+helgen|under\s+helgen|pa\s+helgen"
                   r"|i\s+helg|denna\s+helg|den\s+har\s+helgen)(?!\w)"),
        "i helgen",
        _weekend,
    ),
    (
        re.compile(r"(?<!\w)(?:nasta\s+vecka|kommande\s+vecka|veckan\s+som\s+kommer)(?!\w)"),
        "nästa vecka",
        _next_week,
    ),
    (
        re.compile(r"(?<!\w)(?:resten\s+av\s+veckan|den\s+har\s+veckan|denna\s+vecka"
                   r"|i\s+veckan)(?!\w)"),
        "resten av veckan",
        _this_week,
    ),
]


def parse_period(text: str, today: date) -> Period | None:
    """The first period named in ``text``, or None. Never raises on odd input."""
    if not isinstance(text, str) or not text:
        return None
    folded = fold_text(text[:2000]).text
    best: tuple[int, Period] | None = None
    for pattern, name, resolve in _PERIODS:
        match = pattern.search(folded)
        if match is None:
            continue
        start, end = resolve(today)
        if best is None or match.start() < best[0]:
            best = (match.start(), Period(start, end, name))
    return best[1] if best else None
