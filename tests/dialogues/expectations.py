"""Wording-independent expectations for one dialogue turn, and the invariants of every turn.

A dialogue file states *what must be true* of a reply ("names Friday and its hours", "the
open/closed verdict is right at that moment"), never the bot's exact words, so the set
survives any rewording. Every expectation is computed at the dialogue's clock from the
product's own sources of truth (config/contact.yml, config/opening_hours.yml, the
calendar, the date parser) so no hours or dates are written into the dialogue files.

Each check returns ``None`` when satisfied, else a short English reason for the report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kontaktcenter.calendar import OpeningCalendar, format_range, format_time, load_hours_config
from kontaktcenter.calendar.format import MONTHS, WEEKDAYS
from kontaktcenter.dates import parse_date_expression
from kontaktcenter.dates.named_days import NAMED_DAYS, named_day
from kontaktcenter.facts import ContactFacts, load_facts

ROOT = Path(__file__).resolve().parents[2]
HID_SOURCE = ROOT / "docs" / "source" / "helsingborg-far-ett-innovationsdistrikt.txt"

# Facts about HiD, each a phrase of the city's page (a unit test holds them to it).
HID_FACTS: dict[str, str] = {
    "hid_place": "Oceanhamnen",
    "hid_when": "2023",
    "hid_half_year": "första halvåret",
    "hid_innovative_year": "2020",
    "hid_h22": "H22",
    "hid_coordinator": "verksamhetsledare",
    "hid_name": "Helsingborg Innovation District",
}

FALLBACK_MARKERS = ("förstod jag inte", "förstod tyvärr inte")
# Text that only appears when something broke (a stack trace, an unfilled template, Rasa's
# English defaults); the bot's deliberate English line for foreigners contains none of it.
ERROR_MARKERS = (
    "Traceback",
    "Exception",
    "Error",
    "error:",
    "NoneType",
    "KeyError",
    "utter_",
    "action_",
    "Sorry, I didn't",
    "I'm sorry",
    "Internal Server",
    "{",
    "}",
)
HANDOVER_WORDS = (
    "kommunvägledare",
    "en person",
    "en människa",
    "medarbetare",
    "handläggare",
    "meddelande",
)
EMPATHY_WORDS = (
    "förstår",
    "beklagar",
    "ledsen",
    "tråkigt",
    "förlåt",
    "ursäkta",
    "frustrerande",
    "jobbigt",
    "synd",
)
PERSONAL_DATA_WORDS = ("känslig", "personnummer", "personuppgift", "uppgifter")
# Topic groups "vad kan du hjälpa mig med?" should mention (at least three of them).
TOPIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("öppettid", "öppet"),
    ("telefon", "ring"),
    ("adress", "besök", "stortorget"),
    ("chatt",),
    ("innovation", "hid"),
    ("kommunvägledare", "person"),
    ("allmän handling", "ärende"),
)
CLOSED_WORDS = ("stängt", "stängd")
_VERDICT = re.compile(r"(?<!\w)(?:(inte|ej)\s+)?(öppet|öppna|öppen|stängt|stängd)(?!\w)")
_RANGE = re.compile(r"(?<!\d)(\d{1,2})[.:](\d{2})\s*(?:–|-|—|till)\s*(\d{1,2})[.:](\d{2})(?!\d)")
_PERIOD_OFFSET = re.compile(r"^(?P<expr>.*?)\s*(?P<sign>[+-])\s*(?P<days>\d+)\s*d$")
_RELATIVE_MOMENT = re.compile(r"^\+\s*(?P<count>\d+)\s*(?P<unit>h|min)$")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2})[.:](\d{2})(?!\d)")

# Alternative names residents and answers use for a named day (canonical -> aliases).
DAY_ALIASES: dict[str, tuple[str, ...]] = {
    "trettondedag jul": ("trettondagen", "trettondag jul", "trettondedagen"),
    "påskdagen": ("påskdag",),
    "Kristi himmelsfärdsdag": ("himmelsfärd",),
    "första maj": ("1 maj", "förste maj"),
    "valborgsmässoafton": ("valborg",),
    "nationaldagen": ("nationaldag",),
    "alla helgons dag": ("allhelgona",),
    "annandag jul": ("annandagen",),
}


class ExpectationError(ValueError):
    """A dialogue file uses an expectation wrongly (unknown key, bad value)."""


@dataclass(frozen=True)
class Truth:
    """What is true for this deployment: contact facts and the opening calendar."""

    facts: ContactFacts
    calendar: OpeningCalendar

    @classmethod
    def from_config(cls, config_dir: Path = ROOT / "config") -> Truth:
        """Facts and regular calendar from config/ (no staff exceptions: a fresh database)."""
        hours = load_hours_config(config_dir / "opening_hours.yml")
        return cls(load_facts(config_dir / "contact.yml"), OpeningCalendar(hours))


@dataclass(frozen=True)
class Turn:
    """What a check sees: the reply of one turn (all bot texts joined) and the clock."""

    reply: str
    at: datetime  # aware, Stockholm: the product's clock when the message was sent
    truth: Truth

    @property
    def lower(self) -> str:
        return self.reply.lower()

    @property
    def today(self) -> date:
        return self.at.date()


# -- resolving expressions at the clock --------------------------------------------------


def resolve_day(expr: str, at: datetime) -> date:
    """The date a Swedish expression names at ``at``; "<expr> -1d" shifts by days."""
    shift = 0
    match = _PERIOD_OFFSET.match(expr.strip())
    if match:
        expr = match.group("expr")
        shift = int(match.group("days")) * (1 if match.group("sign") == "+" else -1)
    if expr.strip().lower() in ("", "idag", "i dag", "nu"):
        return at.date() + timedelta(days=shift)
    parsed = parse_date_expression(expr, at)
    if parsed.date is None:
        raise ExpectationError(f"no date in {expr!r} at {at.isoformat()}")
    return parsed.date + timedelta(days=shift)


def resolve_moment(expr: str, at: datetime) -> datetime:
    """The instant of "fredag 16.30", "imorgon 07.00", "17.30" (today) or "+1h"/"+30min"."""
    text = expr.strip()
    relative = _RELATIVE_MOMENT.match(text)
    if relative:
        count = int(relative.group("count"))
        unit = "hours" if relative.group("unit") == "h" else "minutes"
        return at + timedelta(**{unit: count})
    clocks = list(_CLOCK.finditer(text))
    if not clocks:
        raise ExpectationError(f"open_at needs a clock time like 16.30: {expr!r}")
    last = clocks[-1]
    wall = time(int(last.group(1)), int(last.group(2)))
    day_text = (text[: last.start()] + text[last.end():]).strip()
    day = resolve_day(day_text, at)
    return datetime.combine(day, wall, tzinfo=at.tzinfo)


def _next_span(anchor: str, before: int, after: int, today: date) -> list[date]:
    """The first occurrence of [anchor - before, anchor + after] that has not ended."""
    for year in (today.year, today.year + 1):
        day = named_day(anchor, year)
        first, last = day - timedelta(days=before), day + timedelta(days=after)
        if last >= today:
            return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    raise ExpectationError(f"no {anchor} ahead of {today}")  # unreachable


# Periods a resident names -> (anchor named day, days before, days after).
_PERIODS: dict[str, tuple[str, int, int]] = {
    "påsk": ("påskdagen", 3, 1),  # skärtorsdagen (may deviate) .. annandag påsk
    "jul": ("julafton", 0, 2),  # julafton, juldagen, annandag jul
    "mellandagarna": ("julafton", -3, 6),  # 27–30 december
    "valborg": ("valborgsmässoafton", 0, 1),  # valborgsmässoafton and första maj
    "midsommar": ("midsommarafton", 0, 1),
    "nyår": ("nyårsafton", 0, 1),
    "pingst": ("pingstafton", 0, 1),  # pingstafton, pingstdagen (annandag pingst is a workday)
    "kristi himmelsfärd": ("Kristi himmelsfärdsdag", 1, 0),
}
_PERIOD_ALIASES = {
    "påsken": "påsk",
    "julen": "jul",
    "mellandagar": "mellandagarna",
    "valborgshelgen": "valborg",
    "midsommarhelgen": "midsommar",
    "nyåret": "nyår",
    "pingsten": "pingst",
    "helg": "helgen",
    "veckan": "resten av veckan",
    "den här veckan": "resten av veckan",
}


def resolve_period(expr: str, at: datetime) -> list[date]:
    """The days of a period: "i helgen", "nästa vecka", "i påsk", "mellandagarna" …"""
    text = re.sub(r"^(i|under|över|till|på)\s+", "", expr.strip().lower())
    text = _PERIOD_ALIASES.get(text, text)
    today = at.date()
    if text == "helgen":
        start = parse_date_expression("i helgen", at).date or today
        return [start + timedelta(days=i) for i in range(7 - start.weekday())]
    if text == "nästa helg":
        start = parse_date_expression("nästa helg", at).date
        if start is None:
            raise ExpectationError("the date parser does not know 'nästa helg'")
        return [start, start + timedelta(days=1)]
    if text == "nästa vecka":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return [monday + timedelta(days=i) for i in range(7)]
    if text == "resten av veckan":
        return [today + timedelta(days=i) for i in range(7 - today.weekday())]
    if text in _PERIODS:
        anchor, before, after = _PERIODS[text]
        return _next_span(anchor, before, after, today)
    raise ExpectationError(f"unknown period {expr!r}")


# -- how a reply names a day -------------------------------------------------------------


def _names_of(day: date, today: date, reason: str | None) -> list[str]:
    """Lower-case regexes that name ``day`` in a reply."""
    names = [
        rf"(?<!\w){WEEKDAYS[day.weekday()]}(?:en|ar)?(?!\w)",
        rf"(?<!\d){day.day}(?::e|:a|\.)?\s*(?:{MONTHS[day.month - 1]}|{MONTHS[day.month - 1][:3]})",
        rf"(?<!\d){day.day}/{day.month}(?!\d)",
        re.escape(day.isoformat()),
    ]
    if day == today:
        names.append(r"(?<!\w)i\s?dag(?!\w)")
    if day == today + timedelta(days=1):
        names.append(r"(?<!\w)i\s?morgon(?!\w)")
    canonical = [n for n in NAMED_DAYS if named_day(n, day.year) == day]
    if reason:
        canonical.append(reason)
    for name in canonical:
        for alias in (name, *DAY_ALIASES.get(name, ())):
            names.append(re.escape(alias.lower()))
    return names


def _weekday_ranges(text: str) -> list[tuple[int, int, set[int]]]:
    """ "måndag–onsdag" spans in ``text``: (start, end, weekdays covered)."""
    pattern = "|".join(WEEKDAYS)
    found = []
    for match in re.finditer(rf"({pattern})(?:ar|en)?\s*(?:–|-|—|till)\s*({pattern})", text):
        first, last = WEEKDAYS.index(match.group(1)), WEEKDAYS.index(match.group(2))
        covered = set(range(first, last + 1)) if first <= last else set()
        found.append((match.start(), match.end(), covered))
    return found


def _name_positions(text: str, day: date, today: date, reason: str | None) -> list[int]:
    """Where ``text`` (lower case) names ``day``: end offsets of each naming."""
    positions = [m.end() for name in _names_of(day, today, reason) for m in re.finditer(name, text)]
    for _start, end, covered in _weekday_ranges(text):
        if day.weekday() in covered:
            positions.append(end)
    return sorted(positions)


def names_day(text: str, day: date, today: date, reason: str | None = None) -> bool:
    return bool(_name_positions(text.lower(), day, today, reason))


def verdict(text: str) -> bool | None:
    """The reply's open/closed verdict: the first of öppet/öppna/öppen vs stängt/stängd.

    "öppen" pairs with "stängd" ("telefonen är öppen nu"); a "inte"/"ej" right before
    the word turns it ("inte öppet" is closed).
    """
    match = _VERDICT.search(text.lower())
    if match is None:
        return None
    is_open = match.group(2).startswith("öpp")
    return not is_open if match.group(1) else is_open


def _day_word_pattern() -> re.Pattern[str]:
    names = {n.lower() for n in NAMED_DAYS} | {a for v in DAY_ALIASES.values() for a in v}
    words = [*WEEKDAYS, *MONTHS, "idag", "i dag", "imorgon", "i morgon", *sorted(names)]
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}" for w in words))


_DAY_WORD = _day_word_pattern()


def _segments(text: str) -> list[str]:
    """Statements about one day each: lines and sentences, where a sentence that names no
    day ("Ordinarie tider är 08.00–17.00.") belongs to the statement before it."""
    segments: list[str] = []
    for line in text.lower().split("\n"):
        for sentence in re.split(r"(?<=[!?])\s+|(?<=[a-zåäö)]\.)\s+(?=\S)", line):
            if not sentence.strip():
                continue
            if segments and not _DAY_WORD.search(sentence):
                segments[-1] += " " + sentence
            else:
                segments.append(sentence)
    return segments


def _markers(segment: str) -> list[tuple[int, str]]:
    """(position, "HH.MM–HH.MM" or "stängt") of each hours statement in a segment."""
    found = [
        (m.start(), f"{int(m.group(1)):02d}.{m.group(2)}–{int(m.group(3)):02d}.{m.group(4)}")
        for m in _RANGE.finditer(segment)
    ]
    found += [(m.start(), "stängt") for m in re.finditer(r"stängt|stängd", segment)]
    found += [(m.start(), "avvik") for m in re.finditer(r"avvik", segment)]
    return sorted(found)


def _day_statement_ok(reply: str, day: date, today: date, truth: Truth) -> str | None:
    hours = truth.calendar.hours_on(day)
    expected = {"stängt"} if hours.is_closed else {format_range(hours.opens, hours.closes)}  # type: ignore[arg-type]
    if hours.may_deviate:
        expected.add("avvik")
    label = f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"
    named = False
    for segment in _segments(reply):
        markers = _markers(segment)
        for position in _name_positions(segment, day, today, hours.reason):
            named = True
            after = [kind for start, kind in markers if start >= position]
            before = [kind for start, kind in markers if start < position]
            nearest = after[0] if after else (before[-1] if before else None)
            if nearest in expected or (nearest == "avvik" and hours.may_deviate):
                return None
            if hours.may_deviate and any(kind in expected for kind in after[:2]):
                return None
    if not named:
        return f"{label} is not named"
    return f"{label}: expected {' or '.join(sorted(expected))} next to its name"


# -- the checks ----------------------------------------------------------------------------


def _as_list(value: Any, key: str) -> list[Any]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    raise ExpectationError(f"{key}: expected a string or a non-empty list, got {value!r}")


def check_contains(value: Any, turn: Turn) -> str | None:
    missing = [w for w in _as_list(value, "contains") if str(w).lower() not in turn.lower]
    return f"missing {missing}" if missing else None


def check_contains_any(value: Any, turn: Turn) -> str | None:
    """A list of words (one must appear), or a list of such lists (each must be met)."""
    items = _as_list(value, "contains_any")
    groups = items if all(isinstance(i, list) for i in items) else [items]
    for group in groups:
        if not any(str(w).lower() in turn.lower for w in group):
            return f"none of {group}"
    return None


def check_not_contains(value: Any, turn: Turn) -> str | None:
    present = [w for w in _as_list(value, "not_contains") if str(w).lower() in turn.lower]
    return f"must not say {present}" if present else None


def fact_value(name: str, facts: ContactFacts) -> list[str]:
    """The text(s) of a named fact; all must appear."""
    if name in HID_FACTS:
        return [HID_FACTS[name]]
    if name == "social_media":
        return list(facts.social_media)
    if name in ("phone", "address", "city", "name", "staff_title", "staff_title_plural"):
        return [getattr(facts, name)]
    raise ExpectationError(f"unknown fact {name!r}")


def check_fact(value: Any, turn: Turn) -> str | None:
    missing = [
        text
        for name in _as_list(value, "fact")
        for text in fact_value(str(name), turn.truth.facts)
        if text.lower() not in turn.lower
    ]
    return f"missing fact {missing}" if missing else None


def check_hours_on(value: Any, turn: Turn) -> str | None:
    """The day is named and its hours (or "stängt") stand in the reply."""
    day = resolve_day(str(value), turn.at)
    hours = turn.truth.calendar.hours_on(day)
    if not names_day(turn.reply, day, turn.today, hours.reason):
        return f"{WEEKDAYS[day.weekday()]} {day.isoformat()} is not named"
    if hours.is_closed:
        if not any(w in turn.lower for w in CLOSED_WORDS):
            return f"{day.isoformat()} is closed but the reply does not say stängt"
        return None
    expected = format_range(hours.opens, hours.closes)  # type: ignore[arg-type]
    found = {kind for _, kind in _markers(turn.lower)}
    if expected not in found:
        return f"{day.isoformat()}: expected {expected}"
    return None


def _verdict_matches(reply: str, moment: datetime, truth: Truth) -> str | None:
    expected = truth.calendar.is_open(moment)
    said = verdict(reply)
    word = "öppet" if expected else "stängt"
    stamp = f"{WEEKDAYS[moment.weekday()]} {moment:%Y-%m-%d %H:%M}"
    if said is None:
        return f"no open/closed verdict (expected {word} at {stamp})"
    if said != expected:
        return f"verdict {'öppet' if said else 'stängt'}, but it is {word} at {stamp}"
    return None


def check_open_at(value: Any, turn: Turn) -> str | None:
    return _verdict_matches(turn.reply, resolve_moment(str(value), turn.at), turn.truth)


def check_open_now(value: Any, turn: Turn) -> str | None:
    if value is not True:
        raise ExpectationError("open_now: only `true` is meaningful")
    return _verdict_matches(turn.reply, turn.at, turn.truth)


def check_period(value: Any, turn: Turn) -> str | None:
    misses = [
        reason
        for day in resolve_period(str(value), turn.at)
        if (reason := _day_statement_ok(turn.reply, day, turn.today, turn.truth))
    ]
    return "; ".join(misses) if misses else None


def fallback_count(reply: str) -> int:
    lower = reply.lower()
    return sum(lower.count(marker) for marker in FALLBACK_MARKERS)


def check_no_fallback(value: Any, turn: Turn) -> str | None:
    if value is not True:
        raise ExpectationError("no_fallback: only `true` is meaningful")
    return "fallback reply" if fallback_count(turn.reply) else None


def check_fallback(value: Any, turn: Turn) -> str | None:
    if value is not True:
        raise ExpectationError("fallback: only `true` is meaningful")
    return None if fallback_count(turn.reply) else "expected the bot to say it did not understand"


def check_handover_offer(value: Any, turn: Turn) -> str | None:
    if value is not True:
        raise ExpectationError("handover_offer: only `true` is meaningful")
    if any(w in turn.lower for w in HANDOVER_WORDS):
        return None
    return "no offer of a kommunvägledare or a message"


def check_referral(value: Any, turn: Turn) -> str | None:
    """Points to a person: the phone number or a kommunvägledare/message."""
    if value is not True:
        raise ExpectationError("referral: only `true` is meaningful")
    if turn.truth.facts.phone in turn.reply or any(w in turn.lower for w in HANDOVER_WORDS):
        return None
    return "no referral to the phone or a person"


def check_reminder(value: Any, turn: Turn) -> str | None:
    if value != "personal_data":
        raise ExpectationError("reminder: only `personal_data` is defined")
    if "allmän handling" not in turn.lower:
        return "no reminder that the chat becomes an allmän handling"
    if not any(w in turn.lower for w in PERSONAL_DATA_WORDS):
        return "no word about sensitive personal data"
    return None


def check_empathy(value: Any, turn: Turn) -> str | None:
    if value is not True:
        raise ExpectationError("empathy: only `true` is meaningful")
    if any(w in turn.lower for w in EMPATHY_WORDS):
        return None
    return "the frustration is not acknowledged"


def check_topics(value: Any, turn: Turn) -> str | None:
    minimum = 3 if value is True else int(value)
    met = sum(1 for group in TOPIC_GROUPS if any(w in turn.lower for w in group))
    return None if met >= minimum else f"names {met} topic groups, expected {minimum}"


def check_closing_time(value: Any, turn: Turn) -> str | None:
    """Says until when: one of the regular closing times ("17.00") appears."""
    if value is not True:
        raise ExpectationError("closing_time: only `true` is meaningful")
    closes = {format_time(r.closes) for r in turn.truth.calendar.regular_week() if r is not None}
    said = {f"{int(m.group(1)):02d}.{m.group(2)}" for m in _CLOCK.finditer(turn.reply)}
    return None if closes & said else f"no closing time ({' or '.join(sorted(closes))})"


def check_closes_on(value: Any, turn: Turn) -> str | None:
    """ "till när?": the day's closing time appears (or "stängt" when closed that day)."""
    day = resolve_day(str(value), turn.at)
    hours = turn.truth.calendar.hours_on(day)
    if hours.is_closed:
        ok = any(w in turn.lower for w in CLOSED_WORDS)
        return None if ok else f"{day.isoformat()} is closed but the reply does not say stängt"
    said = {f"{int(m.group(1)):02d}.{m.group(2)}" for m in _CLOCK.finditer(turn.reply)}
    closes = format_time(hours.closes)  # type: ignore[arg-type]
    return None if closes in said else f"{day.isoformat()}: expected the closing time {closes}"


def check_regular_hours(value: Any, turn: Turn) -> str | None:
    """The ordinary week: every distinct regular range and the closed weekend."""
    if value is not True:
        raise ExpectationError("regular_hours: only `true` is meaningful")
    week = turn.truth.calendar.regular_week()
    ranges = {format_range(r.opens, r.closes) for r in week if r is not None}
    found = {kind for _, kind in _markers(turn.lower)}
    missing = sorted(ranges - found)
    if None in week and not any(w in turn.lower for w in CLOSED_WORDS):
        missing.append("stängt")
    return f"regular week incomplete, missing {missing}" if missing else None


def check_max_length(value: Any, turn: Turn) -> str | None:
    limit = int(value)
    return None if len(turn.reply) <= limit else f"{len(turn.reply)} characters > {limit}"


def each(check: Callable[[Any, Turn], str | None]) -> Callable[[Any, Turn], str | None]:
    """Accept a list of values too ("two questions in one"): every one must hold."""

    def checked(value: Any, turn: Turn) -> str | None:
        values = value if isinstance(value, list) else [value]
        if not values:
            raise ExpectationError("an empty list expects nothing")
        misses = [reason for item in values if (reason := check(item, turn))]
        return "; ".join(misses) if misses else None

    checked.__doc__ = check.__doc__
    return checked


CHECKS: dict[str, Callable[[Any, Turn], str | None]] = {
    "contains": check_contains,
    "contains_any": check_contains_any,
    "not_contains": check_not_contains,
    "fact": check_fact,
    "hours_on": each(check_hours_on),
    "open_at": each(check_open_at),
    "open_now": check_open_now,
    "period": each(check_period),
    "no_fallback": check_no_fallback,
    "fallback": check_fallback,
    "handover_offer": check_handover_offer,
    "referral": check_referral,
    "reminder": check_reminder,
    "empathy": check_empathy,
    "topics": check_topics,
    "closing_time": check_closing_time,
    "max_length": check_max_length,
    "closes_on": each(check_closes_on),
    "regular_hours": check_regular_hours,
}
# Keys of a turn that are not expectations.
TURN_KEYS = frozenset({"user", "repeat_ok", "note"})


def validate_turn(turn: Mapping[str, Any], where: str) -> None:
    """Reject unknown keys and a missing user text before anything runs."""
    if not isinstance(turn.get("user"), str):
        raise ExpectationError(f"{where}: every turn needs `user:` text")
    unknown = set(turn) - TURN_KEYS - set(CHECKS)
    if unknown:
        raise ExpectationError(f"{where}: unknown expectation(s) {sorted(unknown)}")


def check_turn(expect: Mapping[str, Any], turn: Turn) -> list[tuple[str, str]]:
    """(expectation, reason) for every expectation of a turn that the reply misses."""
    misses = []
    for key, value in expect.items():
        if key in TURN_KEYS:
            continue
        check = CHECKS.get(key)
        if check is None:
            raise ExpectationError(f"unknown expectation {key!r}")
        reason = check(value, turn)
        if reason:
            misses.append((key, reason))
    return misses


# -- invariants of every turn --------------------------------------------------------------


def normalise_user(text: str) -> str:
    """User text for "did they repeat themselves?": case, accents and punctuation ignored."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isalnum())


def reply_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """All bot texts of a turn joined, with button titles (what the resident reads)."""
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(str(message["text"]))
        for button in message.get("buttons") or ():
            parts.append(f"[{button.get('title', '')}]")
    return "\n".join(parts)


def check_invariants(
    messages: Sequence[Mapping[str, Any]],
    previous_reply: str | None,
    repeated: bool,
) -> list[tuple[str, str]]:
    """The invariants every turn keeps; ``repeated`` = the user asked the same again."""
    misses = []
    reply = reply_text(messages)
    if not messages or not reply.strip():
        return [("invariant", "no bot message")]
    count = fallback_count(reply)
    if count > 1:
        misses.append(("invariant", f"{count} fallback messages in one turn"))
    if previous_reply is not None and reply == previous_reply and not repeated:
        misses.append(("invariant", "the same reply twice in a row"))
    errors = [marker for marker in ERROR_MARKERS if marker in reply]
    if errors:
        misses.append(("invariant", f"error text in reply: {errors}"))
    return misses


def iter_expectation_values(turns: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Any]]:
    for turn in turns:
        for key, value in turn.items():
            if key not in TURN_KEYS:
                yield key, value
