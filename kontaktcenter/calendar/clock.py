"""Stockholm time: one zone for every calendar answer, whatever zone the input had."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from kontaktcenter import clock
from kontaktcenter.clock import STOCKHOLM

Clock = Callable[[], datetime]


def system_now() -> datetime:
    """The current instant as an aware Stockholm datetime (the product clock, KC_NOW aware)."""
    return clock.now(STOCKHOLM)


def to_local(at: datetime, zone: ZoneInfo = STOCKHOLM) -> datetime:
    """``at`` as Stockholm wall time; a naive datetime is taken to be Stockholm time already."""
    if at.tzinfo is None:
        return at.replace(tzinfo=zone)
    return at.astimezone(zone)


def local_instant(day: date, at: time, zone: ZoneInfo = STOCKHOLM) -> datetime:
    """The aware instant of wall time ``at`` on ``day`` (zoneinfo resolves DST folds)."""
    return datetime.combine(day, at, tzinfo=zone)
