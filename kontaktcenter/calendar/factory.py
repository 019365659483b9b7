"""Wiring: a calendar over the deployment's YAML hours and SQL exceptions.

Kept apart from the calendar itself so that tests and the benchmark build calendars
without a database, and so that no engine is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kontaktcenter.calendar.clock import Clock, system_now
from kontaktcenter.calendar.config import HoursConfig, get_hours_config
from kontaktcenter.calendar.exceptions import CachedExceptions
from kontaktcenter.calendar.hours import OpeningCalendar
from kontaktcenter.calendar.repository import ExceptionRepository

DEFAULT_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class CalendarService:
    """A calendar and the repository whose writes invalidate its exception cache."""

    calendar: OpeningCalendar
    repository: ExceptionRepository
    cache: CachedExceptions


def build_calendar_service(
    database_url: str | None = None,
    config: HoursConfig | None = None,
    config_dir: Path | None = None,
    now: Clock = system_now,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
) -> CalendarService:
    """Calendar reading exceptions from ``database_url`` (default: settings) per query."""
    from kontaktcenter.db import get_database

    repository = ExceptionRepository(get_database(database_url), now=now)
    cache = CachedExceptions(repository.list, ttl_seconds=ttl_seconds)
    repository.subscribe(cache.invalidate)
    hours = config if config is not None else get_hours_config(config_dir)
    return CalendarService(OpeningCalendar(hours, cache, now=now), repository, cache)


@lru_cache(maxsize=1)
def get_calendar_service() -> CalendarService:
    """The process-wide service (settings' database and config directory)."""
    return build_calendar_service()


def get_calendar() -> OpeningCalendar:
    """The process-wide calendar that the Rasa actions query."""
    return get_calendar_service().calendar
