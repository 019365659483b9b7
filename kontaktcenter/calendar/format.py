"""Swedish sentences about opening hours, in the style of the city's page ("08.00–17.00").

The Rasa actions call these to word their replies; all wording a resident reads lives
here, in one place, so it can be tested word for word.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from kontaktcenter.calendar.config import TimeRange
from kontaktcenter.calendar.results import DEVIATION_CAVEAT, DayHours, DayKind, Status

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
_NAMED_REASON_KINDS = (DayKind.RED_DAY, DayKind.EVE, DayKind.DAY_BEFORE_RED_DAY, DayKind.EXCEPTION)


def format_time(value: time) -> str:
    """08:00 -> "08.00" (the seed's style)."""
    return f"{value.hour:02d}.{value.minute:02d}"


def format_range(opens: time, closes: time) -> str:
    """"08.00–17.00" with an en dash."""
    return f"{format_time(opens)}–{format_time(closes)}"


def format_date(day: date, today: date | None = None) -> str:
    """"torsdag 3 december"; the year is added when it differs from ``today``'s."""
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def day_phrase(day: date, today: date | None = None) -> str:
    """"idag", "imorgon" or the weekday and date, in lower case."""
    if today is not None:
        if day == today:
            return "idag"
        if day == today + timedelta(days=1):
            return "imorgon"
    return format_date(day, today)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    """A staff note as a sentence of its own (ends with punctuation)."""
    text = text.strip()
    return text if text[-1:] in ".!?" else text + "."


def _note(hours: DayHours | None) -> str:
    return f" {_sentence(hours.note)}" if hours is not None and hours.note else ""


def _named(hours: DayHours) -> str:
    """" (juldagen)" when the day has a name worth saying, else ""."""
    if hours.reason and hours.kind in _NAMED_REASON_KINDS:
        return f" ({hours.reason})"
    return ""


def _caveat(hours: DayHours) -> str:
    """Caveat plus the regular hours, for a day before a red day without configured hours."""
    text = hours.caveat or DEVIATION_CAVEAT
    if hours.regular_opens is not None and hours.regular_closes is not None:
        text += f" Ordinarie tider är {format_range(hours.regular_opens, hours.regular_closes)}."
    return text


def format_day(hours: DayHours, today: date | None = None) -> str:
    """One day's hours as a sentence, e.g. "Fredag 25 december (juldagen) har vi stängt."."""
    when = _capitalize(day_phrase(hours.day, today))
    if hours.may_deviate:
        return f"{when} är det {hours.reason}. {_caveat(hours)}{_note(hours)}"
    if hours.is_closed:
        return f"{when}{_named(hours)} har vi stängt.{_note(hours)}"
    assert hours.opens is not None and hours.closes is not None
    span = format_range(hours.opens, hours.closes)
    return f"{when}{_named(hours)} har vi öppet {span}.{_note(hours)}"


def format_open_now(status: Status) -> str:
    """"Ja, vi har öppet nu till kl. 17.00." or "Nej, vi har stängt nu. Vi öppnar igen …"."""
    today = status.today
    if status.is_open:
        assert status.closes_at is not None
        text = f"Ja, vi har öppet nu till kl. {format_time(status.closes_at.time())}."
        if today.kind is DayKind.EXCEPTION:
            text = text[:-1] + " (avvikande öppettider idag)."
        if today.may_deviate:
            text += f" Idag är det {today.reason}. {DEVIATION_CAVEAT}"
        return text + _note(today)

    if today.is_closed and today.kind is not DayKind.WEEKEND:
        text = f"Nej, idag har vi stängt{_named(today)}.{_note(today)}"
    else:
        text = "Nej, vi har stängt nu."
    if status.next_opening is None:
        return text + " Vi kan just nu inte säga när vi öppnar igen."
    when = day_phrase(status.next_opening.date(), status.at.date())
    again = "" if when == "idag" else " igen"
    text += f" Vi öppnar{again} {when} kl. {format_time(status.next_opening.time())}."
    upcoming = status.next_opening_day
    if upcoming is not None:
        if upcoming.may_deviate:
            if when in ("idag", "imorgon"):
                text += f" {_capitalize(when)} är det {upcoming.reason}. {DEVIATION_CAVEAT}"
            else:
                text += f" Det är {upcoming.reason} den dagen. {DEVIATION_CAVEAT}"
        text += _note(upcoming)  # never today's note twice: a closed today is not upcoming
    return text


def _day_label(first: int, last: int) -> str:
    if first == last:
        return WEEKDAYS[first]
    if last == first + 1:
        return f"{WEEKDAYS[first]} och {WEEKDAYS[last]}"
    return f"{WEEKDAYS[first]}–{WEEKDAYS[last]}"


def _week_sentence(week: Sequence[TimeRange | None]) -> str:
    groups: list[tuple[int, int, TimeRange | None]] = []
    for index, hours in enumerate(week):
        if groups and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], index, hours)
        else:
            groups.append((index, index, hours))
    sentences: list[list[str]] = []
    previous_open = False
    for first, last, hours in groups:
        label = _day_label(first, last)
        if hours is None:
            sentences.append([f"{label} stängt"])
            previous_open = False
        else:
            part = f"{label} {format_range(hours.opens, hours.closes)}"
            if previous_open:
                sentences[-1].append(part)
            else:
                sentences.append([part])
            previous_open = True
    return " ".join(_capitalize(", ".join(parts)) + "." for parts in sentences)


def format_deviation(hours: DayHours, today: date | None = None) -> str:
    """One line about a deviating day: "Torsdag 24 december (julafton): stängt"."""
    head = f"{_capitalize(day_phrase(hours.day, today))}{_named(hours)}"
    if hours.may_deviate:
        assert hours.regular_opens is not None and hours.regular_closes is not None
        body = (
            f"avvikande öppettider kan förekomma (ordinarie "
            f"{format_range(hours.regular_opens, hours.regular_closes)})"
        )
    elif hours.is_closed:
        body = "stängt"
    else:
        assert hours.opens is not None and hours.closes is not None
        body = f"öppet {format_range(hours.opens, hours.closes)}"
    note = f" – {_sentence(hours.note)}" if hours.note else ""
    return f"{head}: {body}{note}"


def format_regular_week(
    week: Sequence[TimeRange | None],
    deviations: Sequence[DayHours] = (),
    today: date | None = None,
    days: int = 14,
) -> str:
    """The ordinary week in one or two sentences, then any deviation in the coming days.

    "Måndag–onsdag 08.00–17.00, torsdag 08.00–18.00, fredag 08.00–17.00. Lördag och
    söndag stängt." followed, when ``deviations`` is not empty, by one line per day.
    """
    text = _week_sentence(week)
    if deviations:
        lines = [f"• {format_deviation(hours, today)}" for hours in deviations]
        text += f"\nAvvikande öppettider de närmaste {days} dagarna:\n" + "\n".join(lines)
    return text


def format_week(days: Sequence[DayHours], today: date | None = None) -> str:
    """Seven (or any number of) days, one line each: "Måndag 30 november: 08.00–17.00"."""
    lines = []
    for hours in days:
        head = f"{_capitalize(day_phrase(hours.day, today))}{_named(hours)}"
        if hours.may_deviate:
            assert hours.opens is not None and hours.closes is not None
            body = f"{format_range(hours.opens, hours.closes)} (avvikande öppettider kan förekomma)"
        elif hours.is_closed:
            body = "stängt"
        else:
            assert hours.opens is not None and hours.closes is not None
            body = format_range(hours.opens, hours.closes)
        note = f" – {_sentence(hours.note)}" if hours.note else ""
        lines.append(f"{head}: {body}{note}")
    return "\n".join(lines)
