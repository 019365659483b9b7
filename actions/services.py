"""Lazily created services shared by the actions of one action-server process.

Nothing here connects at import time; each database call opens its own session
(kontaktcenter.db.Database.session), so concurrent requests never share one.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from kontaktcenter.facts import ContactFacts, get_facts
from kontaktcenter.settings import get_settings


def facts() -> ContactFacts:
    return get_facts()


def now() -> datetime:
    """The current instant in the contact center's time zone (frozen in tests)."""
    return datetime.now(ZoneInfo(get_settings().timezone))


@lru_cache(maxsize=1)
def calendar():  # type: ignore[no-untyped-def]
    """The opening-hours calendar with staff exceptions from the database."""
    from kontaktcenter.calendar import build_calendar

    return build_calendar(get_settings())
