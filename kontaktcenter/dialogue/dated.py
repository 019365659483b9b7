"""The dates of each clause of a message that asks several things, parsed once.

"Har ni öppet på lördag och på söndag?" names a different day in each clause. The NLU
date extractor calls :func:`clause_dates` when it parses the message, the action reads
the result from the entities, and the router looks each clause up: dates are parsed in
one place, never again in the router.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from kontaktcenter.dates import parse_date_expression
from kontaktcenter.dates.periods import Period, parse_period
from kontaktcenter.dialogue import signals


@dataclass(frozen=True)
class ClauseDates:
    """What one clause says about when: a day, a time of day, a period (each optional)."""

    date: date | None = None
    time: time | None = None
    period: Period | None = None

    def __bool__(self) -> bool:
        return bool(self.date or self.time or self.period)


def clause_dates(text: str, now: datetime) -> dict[str, ClauseDates]:
    """Each clause (as :func:`signals.clauses` cuts it) that names a date, with its dates.

    Empty when the message has fewer than two clauses: then the whole message's dates
    are the clause's dates.
    """
    parts = signals.clauses(text)
    if len(parts) < 2:
        return {}
    found: dict[str, ClauseDates] = {}
    for clause in parts:
        parsed = parse_date_expression(clause, now)
        dates = ClauseDates(parsed.date, parsed.time, parse_period(clause, now.date()))
        if dates:
            found[clause] = dates
    return found
