"""The opening-hours calendar: regular week, red days, eves, days before red days, exceptions.

Precedence for a date (first match wins): a staff exception, a red day or closed eve
(closed), a day before a red day (configured hours, else regular hours with a caveat),
the regular week. Everything is computed in Europe/Stockholm wall time; an office is
open in the half-open interval ``[opens, closes)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from kontaktcenter.calendar.clock import Clock, local_instant, system_now, to_local
from kontaktcenter.calendar.config import HoursConfig, TimeRange
from kontaktcenter.calendar.exceptions import ExceptionSource
from kontaktcenter.calendar.holidays_se import (
    DAY_BEFORE_PREFIX,
    display_name,
    red_days,
    rule_date,
)
from kontaktcenter.calendar.results import DEVIATION_CAVEAT, DayHours, DayKind, Status

WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
SEARCH_HORIZON_DAYS = 400
_BASE_CACHE_LIMIT = 20_000
_SPECIAL_REASONS = (DayKind.RED_DAY, DayKind.EVE, DayKind.DAY_BEFORE_RED_DAY)


def rule_display_name(rule: str) -> str:
    """"dagen före kristi himmelsfärdsdag" -> "dagen före Kristi himmelsfärdsdag"."""
    if rule.startswith(DAY_BEFORE_PREFIX):
        return DAY_BEFORE_PREFIX + display_name(rule[len(DAY_BEFORE_PREFIX):])
    return display_name(rule)


class OpeningCalendar:
    """Answers "are you open?" questions; ``now`` and ``exceptions`` are injectable.

    ``channel`` on each query selects per-channel hours (phone, visit, chat); ``None``
    is the shared default. ``at`` may be aware in any zone or naive (Stockholm time).
    """

    def __init__(
        self,
        config: HoursConfig,
        exceptions: ExceptionSource | None = None,
        now: Clock = system_now,
    ) -> None:
        self.config = config
        self.zone = ZoneInfo(config.timezone)
        self._exceptions = exceptions
        self._now = now
        self._specials: dict[int, Mapping[date, tuple[DayKind, str]]] = {}
        self._base: dict[tuple[str | None, date], DayHours] = {}

    # -- time helpers -------------------------------------------------------------------

    def now(self) -> datetime:
        """The injected clock's instant in Stockholm time."""
        return to_local(self._now(), self.zone)

    def today(self) -> date:
        return self.now().date()

    def _local(self, at: datetime | None) -> datetime:
        return self.now() if at is None else to_local(at, self.zone)

    # -- days ---------------------------------------------------------------------------

    def _year_specials(self, year: int) -> Mapping[date, tuple[DayKind, str]]:
        specials = self._specials.get(year)
        if specials is not None:
            return specials
        found: dict[date, tuple[DayKind, str]] = {}
        for rule in self.config.day_before_red_day:  # lowest precedence first
            day = rule_date(rule, year)
            if day is not None:
                found.setdefault(day, (DayKind.DAY_BEFORE_RED_DAY, rule_display_name(rule)))
        for eve in self.config.closed_eves:
            day = rule_date(eve, year)
            if day is not None:
                found[day] = (DayKind.EVE, rule_display_name(eve))
        for day, names in red_days(year).items():
            found[day] = (DayKind.RED_DAY, " och ".join(display_name(n) for n in names))
        self._specials[year] = found
        return found

    def _base_hours(self, day: date, channel: str | None) -> DayHours:
        key = (channel, day)
        cached = self._base.get(key)
        if cached is not None:
            return cached
        hours = self.config.channel(channel)
        regular: TimeRange | None = hours.regular[day.weekday()]
        reg_opens = regular.opens if regular else None
        reg_closes = regular.closes if regular else None
        special = self._year_specials(day.year).get(day)
        day_hours = partial(DayHours, regular_opens=reg_opens, regular_closes=reg_closes)
        if special is not None and special[0] in (DayKind.RED_DAY, DayKind.EVE):
            result = day_hours(day, special[0], reason=special[1])
        elif special is not None and regular is not None:
            configured = hours.day_before_red_day_hours
            if hours.day_before_red_day_closed:
                result = day_hours(day, DayKind.DAY_BEFORE_RED_DAY, reason=special[1])
            elif configured is not None:
                result = day_hours(day, DayKind.DAY_BEFORE_RED_DAY, configured.opens,
                                   configured.closes, reason=special[1])
            else:  # the source only says hours *may* deviate: never invent a time
                result = day_hours(day, DayKind.DAY_BEFORE_RED_DAY, reg_opens, reg_closes,
                                   reason=special[1], may_deviate=True,
                                   caveat=DEVIATION_CAVEAT)
        elif regular is None:
            result = day_hours(day, DayKind.WEEKEND, reason=WEEKDAY_NAMES[day.weekday()])
        else:
            result = day_hours(day, DayKind.REGULAR, reg_opens, reg_closes)
        if len(self._base) > _BASE_CACHE_LIMIT:
            self._base.clear()
        self._base[key] = result
        return result

    def hours_on(self, day: date | datetime, channel: str | None = None) -> DayHours:
        """Hours of ``day`` (a datetime is first converted to its Stockholm date)."""
        if isinstance(day, datetime):
            day = to_local(day, self.zone).date()
        base = self._base_hours(day, channel)
        if self._exceptions is None:
            return base
        exception = self._exceptions.exceptions().get(day)
        if exception is None:
            return base
        return DayHours(
            day,
            DayKind.EXCEPTION,
            None if exception.closed else exception.opens,
            None if exception.closed else exception.closes,
            reason=base.reason if base.kind in _SPECIAL_REASONS else None,
            note=exception.note or None,
            regular_opens=base.regular_opens,
            regular_closes=base.regular_closes,
        )

    def regular_week(self, channel: str | None = None) -> tuple[TimeRange | None, ...]:
        """The ordinary week, Monday first (None = closed), for "what are your hours?"."""
        return self.config.channel(channel).regular

    # -- instants -----------------------------------------------------------------------

    def is_open(self, at: datetime | None = None, channel: str | None = None) -> bool:
        local = self._local(at)
        return self.hours_on(local.date(), channel).is_open_at(local.time())

    def next_opening(self, at: datetime | None = None, channel: str | None = None) -> (
        datetime | None
    ):
        """Start of the next opening period strictly after ``at`` (None if none within a year).

        When open at ``at`` this is the start of the *following* period, not the current one.
        """
        local = self._local(at)
        day = local.date()
        today = self.hours_on(day, channel)
        if today.opens is not None and local.time() < today.opens:
            return local_instant(day, today.opens, self.zone)
        for offset in range(1, SEARCH_HORIZON_DAYS):
            candidate = day + timedelta(days=offset)
            hours = self.hours_on(candidate, channel)
            if hours.opens is not None:
                return local_instant(candidate, hours.opens, self.zone)
        return None

    def next_closing(self, at: datetime | None = None, channel: str | None = None) -> (
        datetime | None
    ):
        """End of the current opening period (strictly after ``at``); None when closed."""
        local = self._local(at)
        hours = self.hours_on(local.date(), channel)
        if not hours.is_open_at(local.time()):
            return None
        return local_instant(local.date(), hours.closes, self.zone)  # type: ignore[arg-type]

    def status(self, at: datetime | None = None, channel: str | None = None) -> Status:
        """Open now? Until when? When do we open next? — one call for the bot's answer."""
        local = self._local(at)
        today = self.hours_on(local.date(), channel)
        is_open = today.is_open_at(local.time())
        closes_at = local_instant(local.date(), today.closes, self.zone) if is_open else None  # type: ignore[arg-type]
        next_opening = self.next_opening(local, channel)
        next_day = self.hours_on(next_opening.date(), channel) if next_opening else None
        return Status(local, is_open, today, closes_at, next_opening, next_day)

    # -- ranges -------------------------------------------------------------------------

    def week(self, start: date | None = None, channel: str | None = None) -> list[DayHours]:
        """Seven consecutive days from ``start`` (default today)."""
        start = self.today() if start is None else start
        return [self.hours_on(start + timedelta(days=i), channel) for i in range(7)]

    def upcoming_exceptions(
        self, from_date: date | None = None, days: int = 14, channel: str | None = None
    ) -> list[DayHours]:
        """Days in ``[from_date, from_date + days)`` whose hours deviate from the ordinary week.

        Red days and eves on a weekday, days before red days, and every staff exception;
        a red day that falls on a closed weekend day is not a deviation and is left out.
        """
        start = self.today() if from_date is None else from_date
        found = (self.hours_on(start + timedelta(days=i), channel) for i in range(days))
        return [hours for hours in found if hours.deviates]
