"""Swedish red days and the named days around them, precomputed per year.

Red days come from ``holidays`` 0.86 (``Sweden(language="sv", include_sundays=False)``,
the days of lag 1989:253). The eves that offices close (julafton, nyårsafton,
midsommarafton) and the days before red days are computed here, because the library
lists them only under its bank category with bank hours, which are not ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from holidays.countries import Sweden

DAY_BEFORE_PREFIX = "dagen före "

# Days that are not red days themselves but have a common Swedish name.
_EVE_OFFSETS: tuple[tuple[str, str, int], ...] = (
    # (name, red day it precedes, days before it)
    ("trettondagsafton", "trettondedag jul", 1),
    ("skärtorsdagen", "långfredagen", 1),
    ("påskafton", "påskdagen", 1),
    ("valborgsmässoafton", "första maj", 1),
    ("pingstafton", "pingstdagen", 1),
    ("midsommarafton", "midsommardagen", 1),
    ("allhelgonaafton", "alla helgons dag", 1),
    ("julafton", "juldagen", 1),
)

# Extra names residents use for the same day (only unambiguous ones: "jul" or "påsk"
# could mean several days, so the date parser must ask rather than guess).
_ALIASES = {
    "sveriges nationaldag": "nationaldagen",
    "nationaldag": "nationaldagen",
    "kristi himmelsfärd": "kristi himmelsfärdsdag",
    "långfredag": "långfredagen",
    "juldag": "juldagen",
    "valborg": "valborgsmässoafton",
    "trettondagen": "trettondedag jul",
    "alla helgon": "alla helgons dag",
    "allhelgona": "alla helgons dag",
    "1 maj": "första maj",
}


def display_name(name: str) -> str:
    """The name as written in running Swedish text: lower case except proper nouns."""
    lowered = name.lower()
    if lowered.startswith("kristi "):
        return "Kristi" + lowered[len("kristi"):]
    if lowered.startswith("sveriges "):
        return "Sveriges" + lowered[len("sveriges"):]
    return lowered


@lru_cache(maxsize=64)
def _red_days(year: int) -> Mapping[date, tuple[str, ...]]:
    """Red days of ``year``: date -> lower-case names (two names when two coincide)."""
    calendar = Sweden(years=year, language="sv", include_sundays=False)
    days = {
        day: tuple(part.strip().lower() for part in names.split(";") if part.strip())
        for day, names in calendar.items()
        if day.year == year
    }
    return MappingProxyType(dict(sorted(days.items())))


def red_days(year: int) -> Mapping[date, tuple[str, ...]]:
    """Red days (lag 1989:253) of ``year`` with their Swedish names in lower case."""
    return _red_days(year)


@lru_cache(maxsize=64)
def _named_days(year: int) -> Mapping[str, date]:
    days: dict[str, date] = {}
    for day, names in _red_days(year).items():
        for name in names:
            days.setdefault(name, day)
    for name, red_day, offset in _EVE_OFFSETS:
        if red_day in days:
            days[name] = days[red_day] - timedelta(days=offset)
    days["nyårsafton"] = date(year, 12, 31)  # precedes next year's nyårsdagen
    for alias, target in _ALIASES.items():
        if target in days:
            days.setdefault(alias, days[target])
    return MappingProxyType(days)


def named_days(year: int) -> dict[str, date]:
    """Red days, eves and common aliases of ``year`` by Swedish lower-case name.

    Keys include "julafton", "juldagen", "nyårsafton", "midsommarafton", "påskdagen",
    "långfredagen", "skärtorsdagen", "annandag påsk", "trettondedag jul",
    "kristi himmelsfärdsdag", "sveriges nationaldag" (and "nationaldagen"), "första maj",
    "valborgsmässoafton", "alla helgons dag", "pingstdagen", "midsommardagen",
    "nyårsdagen", "annandag jul", "trettondagsafton", "påskafton", "pingstafton",
    "allhelgonaafton". Used by the date-expression parser ("på julafton").
    """
    return dict(_named_days(year))


def _base_names() -> frozenset[str]:
    return frozenset(_named_days(2026))


def rule_date(rule: str, year: int) -> date | None:
    """The date in ``year`` that ``rule`` names: a named day or "dagen före <named day>".

    "dagen före nyårsdagen" of a year is 31 December of that year, so the red day is
    looked up in the following year when needed.
    """
    if rule.startswith(DAY_BEFORE_PREFIX):
        target = rule[len(DAY_BEFORE_PREFIX):]
        for target_year in (year, year + 1):
            day = _named_days(target_year).get(target)
            if day is not None and (day - timedelta(days=1)).year == year:
                return day - timedelta(days=1)
        return None
    return _named_days(year).get(rule)


def validate_rule_names(rules: Iterable[str], where: str) -> None:
    """Reject unknown day names in configuration with a Swedish message listing valid ones."""
    known = _base_names()
    for rule in rules:
        name = rule[len(DAY_BEFORE_PREFIX):] if rule.startswith(DAY_BEFORE_PREFIX) else rule
        if name not in known:
            raise ValueError(
                f"{where}: okänd dag '{rule}'. Använd t.ex. "
                f"{', '.join(sorted(n for n in known if ' ' not in n)[:8])} "
                f"eller 'dagen före <dag>'."
            )
