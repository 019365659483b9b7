"""Lazily created services shared by the actions of one action-server process.

Nothing here connects at import time; each database call opens its own session
(kontaktcenter.db.Database.session), so concurrent requests never share one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kontaktcenter import clock
from kontaktcenter.calendar import OpeningCalendar, get_calendar
from kontaktcenter.facts import ContactFacts, get_facts
from kontaktcenter.records import Register, get_register
from kontaktcenter.settings import get_settings


def facts() -> ContactFacts:
    return get_facts()


def now() -> datetime:
    """The current instant in the contact center's time zone (frozen in tests)."""
    return clock.now(ZoneInfo(get_settings().timezone))


def calendar() -> OpeningCalendar:
    """The process-wide calendar; staff exceptions are re-read from the database."""
    return get_calendar()


def register() -> Register:
    """The public-record register (one per database URL, sessions per call)."""
    return get_register()
