"""Swedish named days (julafton, midsommarafton, påskdagen …) for any year.

Computed with dateutil (easter, relativedelta) so the parser needs no holiday tables.
``kontaktcenter.calendar`` holds the opening-hours view of the same days; if both are
kept, one should delegate to the other so there is a single definition.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import FR, SA, relativedelta


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _easter_offset(days: int) -> Callable[[int], date]:
    return lambda year: easter(year) + timedelta(days=days)


def _midsummer_eve(year: int) -> date:
    """The Friday between 19 and 25 June."""
    return date(year, 6, 19) + relativedelta(weekday=FR(+1))


def _all_saints(year: int) -> date:
    """The Saturday between 31 October and 6 November."""
    return date(year, 10, 31) + relativedelta(weekday=SA(+1))


# Canonical Swedish name -> date in a given year.
NAMED_DAYS: dict[str, Callable[[int], date]] = {
    "nyårsdagen": _fixed(1, 1),
    "trettondagsafton": _fixed(1, 5),
    "trettondedag jul": _fixed(1, 6),
    "skärtorsdagen": _easter_offset(-3),
    "långfredagen": _easter_offset(-2),
    "påskafton": _easter_offset(-1),
    "påskdagen": _easter_offset(0),
    "annandag påsk": _easter_offset(1),
    "valborgsmässoafton": _fixed(4, 30),
    "första maj": _fixed(5, 1),
    "Kristi himmelsfärdsdag": _easter_offset(39),
    "pingstafton": _easter_offset(48),
    "pingstdagen": _easter_offset(49),
    "annandag pingst": _easter_offset(50),
    "nationaldagen": _fixed(6, 6),
    "midsommarafton": _midsummer_eve,
    "midsommardagen": lambda year: _midsummer_eve(year) + timedelta(days=1),
    "allhelgonaafton": lambda year: _all_saints(year) - timedelta(days=1),
    "alla helgons dag": _all_saints,
    "lucia": _fixed(12, 13),
    "julafton": _fixed(12, 24),
    "juldagen": _fixed(12, 25),
    "annandag jul": _fixed(12, 26),
    "nyårsafton": _fixed(12, 31),
}


def named_day(name: str, year: int) -> date:
    """The date of canonical name ``name`` (a key of NAMED_DAYS) in ``year``."""
    return NAMED_DAYS[name](year)


def next_named_day(name: str, today: date) -> date:
    """The first date named ``name`` on or after ``today``."""
    this_year = named_day(name, today.year)
    return this_year if this_year >= today else named_day(name, today.year + 1)
