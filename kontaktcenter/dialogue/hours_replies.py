"""Opening-hours replies for a moment, a day, a period, the phone and the chat.

Every yes/no answer puts its verdict first ("Ja, … har vi öppet" / "Nej, … har vi
stängt"), so a resident skimming the reply, and the dialogue tests, read it at once.
"""

from __future__ import annotations

from datetime import date, datetime, time

from kontaktcenter.calendar import OpeningCalendar, format_day, format_regular_week, format_time
from kontaktcenter.calendar.format import (
    WEEKDAYS,
    day_phrase,
    format_deviation,
    format_range,
    format_week,
)
from kontaktcenter.calendar.results import DEVIATION_CAVEAT, DayHours
from kontaktcenter.clock import STOCKHOLM
from kontaktcenter.dates.periods import Period
from kontaktcenter.facts import ContactFacts

CHAT = "chat"
PHONE = "phone"
DEVIATING_HOURS_WINDOW_DAYS = 45
RED_DAYS_INTRO = (
    "Avvikande öppettider kan förekomma i samband med röda dagar och dagen före en röd dag. "
    "På röda dagar och på julafton, midsommarafton och nyårsafton har vi stängt."
)


def _when(day: date, today: date) -> str:
    phrase = day_phrase(day, today)
    return phrase if phrase in ("idag", "imorgon") else f"på {phrase}"


def _caveat(hours: DayHours) -> str:
    return f" Det är {hours.reason} den dagen. {DEVIATION_CAVEAT}" if hours.may_deviate else ""


def next_opening_phrase(
    calendar: OpeningCalendar, after: datetime, channel: str | None = None
) -> str:
    """ "Vi öppnar igen måndag 7 december kl. 08.00." (or an honest "vet inte")."""
    opening = calendar.next_opening(after, channel)
    if opening is None:
        return "Jag kan just nu inte säga när vi öppnar igen."
    when = day_phrase(opening.date(), after.date())
    again = "" if when == "idag" else " igen"
    return f"Vi öppnar{again} {when} kl. {format_time(opening.time())}."


def moment(
    calendar: OpeningCalendar, day: date, at: time, now: datetime, channel: str | None = None
) -> str:
    """Open or not at ``at`` on ``day``, and what the day looks like."""
    today = now.date()
    hours = calendar.hours_on(day, channel)
    when = f"{_when(day, today)} kl. {format_time(at)}"
    if hours.is_open_at(at):
        assert hours.opens is not None and hours.closes is not None
        span = format_range(hours.opens, hours.closes)
        return f"Ja, {when} har vi öppet. Den dagen är det öppet {span}.{_caveat(hours)}"
    moment_at = datetime.combine(day, at, tzinfo=STOCKHOLM)
    if hours.is_closed:
        why = f" ({hours.reason})" if hours.reason else ""
        text = f"Nej, {when} har vi stängt. Den dagen{why} har vi stängt hela dagen."
        return f"{text} {next_opening_phrase(calendar, moment_at, channel)}"
    assert hours.opens is not None and hours.closes is not None
    if at < hours.opens:
        return (
            f"Nej, {when} har vi stängt. Den dagen öppnar vi kl. {format_time(hours.opens)} "
            f"och har öppet till kl. {format_time(hours.closes)}.{_caveat(hours)}"
        )
    span = format_range(hours.opens, hours.closes)
    return (
        f"Nej, {when} har vi stängt. Den dagen har vi öppet {span}. "
        f"{next_opening_phrase(calendar, moment_at, channel)}"
    )


def day(calendar: OpeningCalendar, which: date, now: datetime, channel: str | None = None) -> str:
    return format_day(calendar.hours_on(which, channel), now.date())


def until_when(
    calendar: OpeningCalendar, which: date, now: datetime, channel: str | None = None
) -> str:
    """ "Till när har ni öppet?": the closing time of that day, honest when already closed."""
    today = now.date()
    hours = calendar.hours_on(which, channel)
    if hours.is_closed or hours.closes is None or hours.opens is None:
        return format_day(hours, today)
    when = day_phrase(which, today)
    close = format_time(hours.closes)
    if which == today and now.time() >= hours.closes:
        return (
            "Idag har vi redan stängt för dagen "
            f"(vi hade öppet {format_range(hours.opens, hours.closes)}). "
            f"{next_opening_phrase(calendar, now, channel)}"
        )
    opens = format_time(hours.opens)
    return f"{when.capitalize()} har vi öppet till kl. {close} (från kl. {opens}).{_caveat(hours)}"


def period(
    calendar: OpeningCalendar, asked: Period, now: datetime, channel: str | None = None
) -> str:
    """One line per day of the period, with the days that may deviate said honestly."""
    days = [calendar.hours_on(d, channel) for d in asked.days()]
    text = (
        f"Så här har vi öppet {asked.name}:\n{format_week(days, now.date())}"
        if asked.name
        else format_week(days, now.date())
    )
    if any(h.may_deviate for h in days):
        text += f"\n{DEVIATION_CAVEAT}"
    return text


def week(calendar: OpeningCalendar, now: datetime, channel: str | None = None) -> str:
    today = now.date()
    upcoming = calendar.upcoming_exceptions(today, days=14, channel=channel)
    return format_regular_week(calendar.regular_week(channel), upcoming, today=today, days=14)


def _latest_closing(calendar: OpeningCalendar, channel: str) -> tuple[str, str] | None:
    """("torsdagar", "18.00"): the weekday(s) open latest in the ordinary week."""
    regular = calendar.regular_week(channel)
    open_days = [(i, r) for i, r in enumerate(regular) if r is not None]
    if not open_days:
        return None
    latest = max(r.closes for _, r in open_days)
    names = [WEEKDAYS[i] + "ar" for i, r in open_days if r.closes == latest]
    label = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]
    return label, format_time(latest)


def latest_opening_sentence(calendar: OpeningCalendar, channel: str | None = None) -> str:
    """"Längst öppet har vi på torsdagar, till kl. 18.00." (kvällar är stängda)."""
    latest = _latest_closing(calendar, channel or PHONE)
    if latest is None:
        return ""
    return f"Kvällstid har vi stängt; längst öppet har vi på {latest[0]}, till kl. {latest[1]}."


_STATUS_WHAT = {
    PHONE: ("telefonen svarar", "telefonen svarar inte"),
    CHAT: ("kommunvägledare svarar i chatten", "ingen kommunvägledare finns i chatten"),
}


def status_sentence(calendar: OpeningCalendar, now: datetime, channel: str | None) -> str:
    """"Just nu har vi öppet: telefonen svarar till kl. 17.00." — the verdict word first."""
    status = calendar.status(now, channel)
    open_what, closed_what = _STATUS_WHAT.get(channel or PHONE, _STATUS_WHAT[PHONE])
    if status.is_open and status.closes_at is not None:
        return f"Just nu har vi öppet: {open_what} till kl. {format_time(status.closes_at.time())}."
    return f"Just nu har vi stängt, så {closed_what}. {next_opening_phrase(calendar, now, channel)}"


def phone(
    calendar: OpeningCalendar,
    facts: ContactFacts,
    now: datetime,
    which: date | None = None,
    at: time | None = None,
    evening: bool = False,
) -> str:
    """When the phone answers: the asked moment or day, else the week and now."""
    intro = f"Telefonen {facts.phone} har samma öppettider som kontaktcentret."
    if which is not None and at is not None:
        return f"{moment(calendar, which, at, now, PHONE)} {intro}"
    if which is not None:
        return f"{day(calendar, which, now, PHONE)} {intro}"
    text = f"Du når en {facts.staff_title} på telefon {facts.phone}. {week(calendar, now, PHONE)}"
    latest = _latest_closing(calendar, PHONE)
    if evening and latest is not None:
        text += (
            f" På kvällar är telefonen stängd; längst öppet är den på {latest[0]}, "
            f"till kl. {latest[1]}."
        )
    return f"{text} {status_sentence(calendar, now, PHONE)}"


def chat(calendar: OpeningCalendar, facts: ContactFacts, now: datetime) -> str:
    """The bot always answers; people answer in the chat only in the chat's hours."""
    return (
        "Jag, chattboten, svarar dygnet runt alla dagar, även på helger och kvällar. "
        f"{facts.staff_title_plural.capitalize()} svarar i chatten under öppettiderna: "
        f"{week(calendar, now, CHAT)} "
        f"{status_sentence(calendar, now, CHAT)} "
        "När de inte finns på plats kan du lämna ett meddelande här, så hör de av sig."
    )


def deviating(calendar: OpeningCalendar, now: datetime) -> str:
    """The general rule, then every deviation known for the coming weeks."""
    today = now.date()
    upcoming = calendar.upcoming_exceptions(today, days=DEVIATING_HOURS_WINDOW_DAYS)
    days = DEVIATING_HOURS_WINDOW_DAYS
    if not upcoming:
        return f"{RED_DAYS_INTRO} De närmaste {days} dagarna har vi ordinarie öppettider."
    lines = "\n".join(f"• {format_deviation(h, today)}" for h in upcoming)
    return f"{RED_DAYS_INTRO}\nDe närmaste {days} dagarna:\n{lines}"
