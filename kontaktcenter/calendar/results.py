"""Answer values of the calendar: the hours of one day and the status at one instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum

DEVIATION_CAVEAT = "Avvikande öppettider kan förekomma dagen före en röd dag."


class DayKind(str, Enum):
    """Why a day has the hours it has (the formatter words its answer from this)."""

    REGULAR = "regular"
    WEEKEND = "weekend"  # closed by the regular week (Saturday, Sunday)
    RED_DAY = "red_day"
    EVE = "eve"  # julafton, nyårsafton, midsommarafton
    DAY_BEFORE_RED_DAY = "day_before_red_day"
    EXCEPTION = "exception"  # a date staff entered; overrides everything


@dataclass(frozen=True)
class DayHours:
    """Hours of one date: open ``opens``–``closes`` or closed (``opens is None``).

    ``reason`` is the Swedish name of the day when it matters ("juldagen", "julafton",
    "lördag"); ``note`` is the staff note of an exception; ``may_deviate`` marks a day
    before a red day for which no hours are configured, so the regular hours are given
    with ``caveat``; ``regular`` is the weekday's ordinary hours for comparison.
    """

    day: date
    kind: DayKind
    opens: time | None = None
    closes: time | None = None
    reason: str | None = None
    note: str | None = None
    may_deviate: bool = False
    caveat: str | None = None
    regular_opens: time | None = None
    regular_closes: time | None = None

    @property
    def is_closed(self) -> bool:
        return self.opens is None

    @property
    def deviates(self) -> bool:
        """Differs from the ordinary week: staff exception, other hours, or a caveat."""
        return (
            self.kind is DayKind.EXCEPTION
            or self.may_deviate
            or (self.opens, self.closes) != (self.regular_opens, self.regular_closes)
        )

    def is_open_at(self, wall_time: time) -> bool:
        """Open in ``[opens, closes)`` at a Stockholm wall-clock time of this day."""
        return self.opens is not None and self.opens <= wall_time < self.closes  # type: ignore[operator]


@dataclass(frozen=True)
class Status:
    """Whether we are open at ``at`` and what comes next (all datetimes Stockholm time)."""

    at: datetime
    is_open: bool
    today: DayHours
    closes_at: datetime | None  # when open: end of the current period
    next_opening: datetime | None  # start of the next period strictly after ``at``
    next_opening_day: DayHours | None
