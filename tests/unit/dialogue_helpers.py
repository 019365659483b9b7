"""Build router turns the way the Rasa pipeline does: entities from the same parsers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kontaktcenter.calendar.config import get_hours_config
from kontaktcenter.calendar.hours import OpeningCalendar
from kontaktcenter.clock import STOCKHOLM
from kontaktcenter.dates import parse_date_expression
from kontaktcenter.dates.periods import parse_period
from kontaktcenter.dialogue import Context, Deps, Reply, Turn, respond
from kontaktcenter.dialogue.dated import clause_dates
from kontaktcenter.dialogue.signals import question_focus
from kontaktcenter.facts import get_facts
from kontaktcenter.knowledge import get_knowledge
from kontaktcenter.records.masking import masker_from_facts

CONFIG = Path(__file__).resolve().parents[2] / "config"


def deps() -> Deps:
    masker = masker_from_facts()
    return Deps(
        calendar=OpeningCalendar(get_hours_config(CONFIG)),
        facts=get_facts(CONFIG),
        knowledge=get_knowledge(CONFIG),
        has_personal_data=lambda text: masker.mask(text).changed,
        retention_days=31,
    )


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=STOCKHOLM)


def turn(text: str, intent: str, now: datetime) -> Turn:
    parsed = parse_date_expression(text, now)
    return Turn(
        text=text,
        intent=intent,
        now=now,
        date=parsed.date,
        time=parsed.time,
        period=parse_period(text, now.date()),
        date_error=parsed.message if parsed.error else None,
        clause_dates=clause_dates(question_focus(text), now),
    )


def chat(now: datetime, *exchanges: tuple[str, str]) -> list[Reply]:
    """Run (intent, text) turns through the router, carrying the context like the slots do."""
    context, replies, shared = Context(), [], deps()
    for intent, text in exchanges:
        reply = respond(turn(text, intent, now), context, shared)
        replies.append(reply)
        context = reply.context
    return replies


def verdict(text: str) -> str | None:
    """"open" or "closed": whichever word comes first in the reply."""
    lowered = text.lower()
    positions = {
        "open": min((i for i in (lowered.find("öppet"), lowered.find("öppna")) if i >= 0),
                    default=-1),
        "closed": lowered.find("stängt"),
    }
    found = {k: v for k, v in positions.items() if v >= 0}
    return min(found, key=found.get) if found else None
