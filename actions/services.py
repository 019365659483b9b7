"""Lazily created services shared by the actions of one action-server process.

Nothing here connects at import time; each database call opens its own session
(kontaktcenter.db.Database.session), so concurrent requests never share one.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from kontaktcenter import clock
from kontaktcenter.calendar import OpeningCalendar, get_calendar
from kontaktcenter.desk.presence import Routing
from kontaktcenter.dialogue import Deps
from kontaktcenter.facts import ContactFacts, get_facts
from kontaktcenter.knowledge import get_knowledge
from kontaktcenter.records import Register, get_register
from kontaktcenter.records.masking import masker_from_facts
from kontaktcenter.records.policy import default_policy
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


@lru_cache(maxsize=1)
def dialogue_deps() -> Deps:
    """Everything the dialogue router reads, built once per action-server process."""
    masker = masker_from_facts()
    policy = default_policy()
    routine = policy.categories.get(policy.default_category)
    return Deps(
        calendar=calendar(),
        facts=facts(),
        knowledge=get_knowledge(),
        has_personal_data=lambda text: masker.mask(text).changed,
        retention_days=routine.retention_days if routine else None,
        agent_available=lambda: bool(Routing(get_settings().database_url).available()),
    )
