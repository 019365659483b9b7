"""The opening-hours replies: combine a date expression with the calendar.

Plain Python so the whole answer is testable with a frozen clock; the Rasa actions
only hand over the entities NLU found and the raw text.
"""

from __future__ import annotations

from datetime import date, datetime, time

from kontaktcenter.calendar import (
    OpeningCalendar,
    format_day,
    format_deviation,
    format_open_now,
    format_regular_week,
    format_time,
)
from kontaktcenter.dates import error_message, parse_date_expression

DEVIATION_WINDOW_DAYS = 14
DEVIATING_HOURS_WINDOW_DAYS = 45
RED_DAYS_INTRO = (
    "Avvikande öppettider kan förekomma i samband med röda dagar och dagen före en röd dag. "
    "På röda dagar och på julafton, midsommarafton och nyårsafton har vi stängt."
)


def _parse_iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_iso_time(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def resolve_day(
    text: str | None, now: datetime, date_entity: str | None = None, time_entity: str | None = None
) -> tuple[date | None, time | None, str | None]:
    """The day (and time) asked about: NLU's entities first, else the raw text.

    Returns ``(day, time, question)`` where ``question`` is a Swedish follow-up when the
    text names an impossible or ambiguous date.
    """
    day, at = _parse_iso_date(date_entity), _parse_iso_time(time_entity)
    if day is not None:
        return day, at, None
    parsed = parse_date_expression(text or "", now)
    if parsed.error is not None:
        return None, None, parsed.message or error_message(parsed.error)
    return parsed.date, parsed.time or at, None


def opening_hours(
    calendar: OpeningCalendar,
    text: str | None,
    now: datetime,
    date_entity: str | None = None,
    time_entity: str | None = None,
) -> str:
    """Hours on the day asked about, or the regular week plus coming deviations."""
    today = now.date()
    day, at, question = resolve_day(text, now, date_entity, time_entity)
    if question:
        return question
    if day is None and at is not None:
        day = today
    if day is None:
        upcoming = calendar.upcoming_exceptions(today, days=DEVIATION_WINDOW_DAYS)
        week = format_regular_week(
            calendar.regular_week(), upcoming, today=today, days=DEVIATION_WINDOW_DAYS
        )
        return f"Våra öppettider: {week}"
    hours = calendar.hours_on(day)
    reply = format_day(hours, today)
    if at is not None:
        moment = datetime.combine(day, at, tzinfo=now.tzinfo)
        verdict = "har vi öppet" if calendar.is_open(moment) else "har vi stängt"
        reply += f" Klockan {format_time(at)} {verdict}."
    return reply


def open_now(calendar: OpeningCalendar, now: datetime) -> str:
    return format_open_now(calendar.status(now))


def deviating_hours(calendar: OpeningCalendar, now: datetime) -> str:
    """The general rule, then every deviation known for the coming weeks."""
    today = now.date()
    upcoming = calendar.upcoming_exceptions(today, days=DEVIATING_HOURS_WINDOW_DAYS)
    if not upcoming:
        days = DEVIATING_HOURS_WINDOW_DAYS
        return f"{RED_DAYS_INTRO} De närmaste {days} dagarna har vi ordinarie öppettider."
    lines = "\n".join(f"• {format_deviation(h, today)}" for h in upcoming)
    return f"{RED_DAYS_INTRO}\nDe närmaste {DEVIATING_HOURS_WINDOW_DAYS} dagarna:\n{lines}"
