"""Find the date (and clock time) a Swedish chat message refers to.

Conventions (relative to ``now`` in Europe/Stockholm):

* A date without a year is the next occurrence on or after today: "julafton" on
  2026-12-27 is 2027-12-24; "29 februari" is the next leap day. Past dates need a year
  or a past word ("igår", "i fredags").
* Bare weekday, "på fredag", "nu på fredag", "i fredag", "kommande fredag": the coming
  Friday, *today included* (0–6 days ahead). A resident asking on a Friday about
  "fredag" most likely means today, and answers always name the resolved date, so a
  misunderstanding shows at once.
* "nästa fredag", "på nästa fredag", "fredag nästa vecka", "nästa veckas fredag": the
  Friday of next calendar week (Monday–Sunday), 1–13 days ahead.
* "fredag i veckan"/"fredag denna vecka": this calendar week's Friday (may be past).
  "i fredags", "förra fredagen": the latest Friday before today.
* "i helgen"/"helgen": the coming Saturday, or today on a Saturday or Sunday;
  "nästa helg": Saturday of next week.
* "den 24:e"/"den 24": the 24th of this month, or of the next month that has one if it
  has passed. "påsk"/"påsken" = påskdagen, "pingst" = pingstdagen,
  "midsommar" = midsommarafton, "jul"/"julen" = julafton, "nyår" = nyårsafton.
* A weekday written next to a date ("fredag 24 december") must agree with it, otherwise
  the result is a ``weekday_mismatch`` error.
* Several dates in one message: the first one counts.

The parser never raises: any input gives a DateParse, at worst an empty one.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from kontaktcenter import clock
from kontaktcenter.dates import messages
from kontaktcenter.dates.messages import DateErrorKind
from kontaktcenter.dates.named_days import named_day, next_named_day
from kontaktcenter.dates.relative_times import find_relative_offset
from kontaktcenter.dates.times import TimeMatch, find_times
from kontaktcenter.dates.vocabulary import (
    COUNT_PATTERN,
    MONTH_PATTERN,
    ORDINAL_PATTERN,
    WEEKDAY_ABBREVIATION_PATTERN,
    WEEKDAY_PATTERN,
    FoldedText,
    count_number,
    fold_text,
    month_number,
    ordinal_number,
    weekday_number,
)

logger = logging.getLogger(__name__)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Chat messages are short; longer input is read only this far (keeps the cost bounded).
MAX_TEXT_LENGTH = 2000


@dataclass(frozen=True)
class Span:
    """Where an expression stands in the original text: ``text == original[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateParse:
    """What a message says about a date and a time.

    ``date`` is None when no usable date was found (then ``error`` may say why);
    ``time`` is set when a clock time was written, with or without a date.
    ``message`` is the Swedish question to ask back when ``error`` is set.
    ``name`` is the canonical named day ("julafton") when one was written.
    """

    date: date | None = None
    time: time | None = None
    span: Span | None = None
    time_span: Span | None = None
    error: DateErrorKind | None = None
    message: str | None = None
    name: str | None = None

    @property
    def found(self) -> bool:
        """True when a usable date or time was found."""
        return self.date is not None or self.time is not None

    @property
    def iso_date(self) -> str | None:
        """The date as "2026-12-24", the value of the ``date`` entity."""
        return self.date.isoformat() if self.date else None

    @property
    def iso_time(self) -> str | None:
        """The time as "17:30", the value of the ``time`` entity."""
        return self.time.strftime("%H:%M") if self.time else None


NO_DATE = DateParse()


@dataclass(frozen=True)
class _Candidate:
    """A date expression found at folded offsets [start, end)."""

    start: int
    end: int
    date: date | None = None
    error: DateErrorKind | None = None
    message: str | None = None
    name: str | None = None
    weekday: int | None = None  # a plain weekday that may merge with a following date
    explicit: bool = False  # an explicit day of month, checked against a weekday before it


_Handler = Callable[[re.Match[str], date], "_Candidate | None"]

_WD = rf"(?:(?:{WEEKDAY_PATTERN})(?:en)?|{WEEKDAY_ABBREVIATION_PATTERN})"
_WD_PAST = rf"(?:{WEEKDAY_PATTERN})s"
_ON = r"(?:(?:nu\s+)?(?:pa|till)\s+)?"
_YEAR = r"(?:\s+(?P<year>\d{4}))?"
_NOT_NUMBER_BEFORE = r"(?<![\w.:/,-])"
_NOT_NUMBER_AFTER = r"(?![\w]|[-/.:,]\d)"
# "1/2 liter", "3/4 av alla": fractions, not dates.
_NOT_A_QUANTITY = (
    r"(?!\s*(?:av|del|delar|liter|l|dl|cl|kg|g|km|m|mil|st|kr|kronor|procent|%)(?!\w))"
)
# After a bare "den 24"/"den tjugofjärde": only words that keep it a date may follow.
_DAY_FOLLOW = (
    r"(?![\w]|[-/.:,]\d|\s*(?!(?:kl|klockan|och|eller|da|i|pa|nasta|den|har|ni|vid|mellan|"
    r"efter|fore|innan|till|om|ocksa|istallet|eftersom|men)(?!\w))[^\W\d_])"
)


def _date_or_error(
    day: int, month: int, year: int | None, today: date, start: int, end: int
) -> _Candidate:
    """Validate day/month(/year); without a year take the next occurrence from today."""
    if not 1 <= month <= 12:
        return _Candidate(
            start,
            end,
            error=DateErrorKind.NO_SUCH_MONTH,
            message=messages.no_such_month_message(month),
        )
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    no_such_day = _Candidate(
        start,
        end,
        error=DateErrorKind.NO_SUCH_DAY,
        message=messages.no_such_day_message(day, month, year),
    )
    if not 1 <= day <= longest:
        return no_such_day
    if year is not None:
        if not 1 <= year <= 9999 or day > calendar.monthrange(year, month)[1]:
            return no_such_day
        if not messages.year_supported(year):
            return _out_of_range(start, end)
        return _Candidate(start, end, date=date(year, month, day), explicit=True)
    for candidate_year in range(today.year, today.year + 9):
        if day <= calendar.monthrange(candidate_year, month)[1]:
            candidate = date(candidate_year, month, day)
            if candidate >= today:
                return _Candidate(start, end, date=candidate, explicit=True)
    return no_such_day  # unreachable for real calendars


def _out_of_range(start: int, end: int) -> _Candidate:
    return _Candidate(
        start, end, error=DateErrorKind.OUT_OF_RANGE,
        message=messages.error_message(DateErrorKind.OUT_OF_RANGE),
    )


def _year(match: re.Match[str], group: str = "year") -> int | None:
    raw = match.group(group)
    if raw is None:
        return None
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _numeric(match: re.Match[str], today: date) -> _Candidate:
    year = _year(match)
    if year is None and "year2" in match.groupdict():
        year = _year(match, "year2")
    return _date_or_error(
        int(match.group("day")),
        int(match.group("month")),
        year,
        today,
        match.start(),
        match.end(),
    )


def _day_month_name(match: re.Match[str], today: date) -> _Candidate | None:
    month = month_number(match.group("month"))
    if month is None:
        return None
    raw_day = match.group("day")
    day = int(raw_day) if raw_day.isdigit() else ordinal_number(raw_day)
    if day is None:
        return None
    return _date_or_error(day, month, _year(match), today, match.start(), match.end())


def _day_only(match: re.Match[str], today: date) -> _Candidate | None:
    raw = match.group("day") or match.group("day2") or match.group("ordinal")
    day = int(raw) if raw.isdigit() else ordinal_number(raw)
    if day is None:
        return None
    if not 1 <= day <= 31:
        return _Candidate(
            match.start(),
            match.end(),
            error=DateErrorKind.NO_SUCH_DAY,
            message=messages.no_such_day_message(day, None, None),
        )
    first = today.replace(day=1)
    for months_ahead in range(4):
        month_start = first + relativedelta(months=months_ahead)
        if day <= calendar.monthrange(month_start.year, month_start.month)[1]:
            candidate = month_start.replace(day=day)
            if candidate >= today:
                return _Candidate(match.start(), match.end(), date=candidate, explicit=True)
    return None


_RELATIVE_WORDS = {
    "dag": 0,
    "morgon": 1,
    "morn": 1,
    "morrn": 1,
    "morron": 1,
    "overmorgon": 2,
    "gar": -1,
    "forrgar": -2,
    "kvall": 0,
    "eftermiddag": 0,
    "formiddag": 0,
    "morse": 0,
}


def _relative(match: re.Match[str], today: date) -> _Candidate:
    return _Candidate(
        match.start(),
        match.end(),
        date=today + timedelta(days=_RELATIVE_WORDS[match.group("word")]),
    )


def _weekend(match: re.Match[str], today: date) -> _Candidate:
    if match.group("next"):
        saturday = today - timedelta(days=today.weekday()) + timedelta(days=12)
    elif today.weekday() >= 5:
        saturday = today
    else:
        saturday = today + timedelta(days=5 - today.weekday())
    return _Candidate(match.start(), match.end(), date=saturday)


def _week_monday(today: date, weeks_ahead: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def _weekday_factory(kind: str) -> _Handler:
    def handler(match: re.Match[str], today: date) -> _Candidate | None:
        weekday = weekday_number(match.group("weekday"))
        if weekday is None:
            return None
        if kind == "coming":
            result = today + timedelta(days=(weekday - today.weekday()) % 7)
            return _Candidate(match.start(), match.end(), date=result, weekday=weekday)
        if kind == "next_week":
            result = _week_monday(today, 1) + timedelta(days=weekday)
        elif kind == "this_week":
            result = _week_monday(today, 0) + timedelta(days=weekday)
        elif kind == "last_week":
            result = _week_monday(today, -1) + timedelta(days=weekday)
        else:  # "past": the latest such weekday before today
            result = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        return _Candidate(match.start(), match.end(), date=result)

    return handler


# One step of each unit; "om 3 veckor" is three steps.
_UNITS = {
    "dag": relativedelta(days=1),
    "dagar": relativedelta(days=1),
    "vecka": relativedelta(weeks=1),
    "veckor": relativedelta(weeks=1),
    "manad": relativedelta(months=1),
    "manader": relativedelta(months=1),
}


def _offset(match: re.Match[str], today: date) -> _Candidate:
    count = count_number(match.group("count"))
    sign = -1 if match.group("ago") else 1
    try:
        delta = _UNITS[match.group("unit")] * (sign * count)
        return _Candidate(match.start(), match.end(), date=today + delta)
    except (ValueError, OverflowError):  # "om 99999999 veckor": beyond Python's dates
        return _out_of_range(match.start(), match.end())


# Named days: regex over folded text -> canonical name in NAMED_DAYS.
_NAMED_DAY_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"julafton(?:en|s)?|jul\s+afton|julen|jul", "julafton"),
    (r"(?:forsta\s+)?juldag(?:en)?", "juldagen"),
    (r"annandag(?:en)?\s*jul(?:dagen)?|annan\s+dag\s+jul|annandagen", "annandag jul"),
    (r"nyarsafton(?:en|s)?|nyar(?:et)?", "nyårsafton"),
    (r"nyarsdag(?:en)?", "nyårsdagen"),
    (r"tretton(?:de)?\s*dags\s*afton(?:en)?", "trettondagsafton"),
    (r"tretton(?:de)?\s*dag(?:en)?(?:\s+jul)?", "trettondedag jul"),
    (r"skartorsdag(?:en)?", "skärtorsdagen"),
    (r"langfredag(?:en)?", "långfredagen"),
    (r"paskafton(?:en)?", "påskafton"),
    (r"(?:forsta\s+)?paskdag(?:en)?|pask(?:en)?", "påskdagen"),
    (r"annandag(?:en)?\s*pask(?:dagen)?|annan\s+dag\s+pask", "annandag påsk"),
    (
        r"valborg(?:s?\s*massoafton(?:en)?|s?massafton(?:en)?|safton(?:en)?|smassan)?|"
        r"sista\s+april",
        "valborgsmässoafton",
    ),
    (
        r"(?:kristi\s+)?himmelsfard(?:s\s*dag(?:en)?|en)?|kristi\s+himmelsfardsdag(?:en)?",
        "Kristi himmelsfärdsdag",
    ),
    (r"pingstafton(?:en)?", "pingstafton"),
    (r"(?:forsta\s+)?pingstdag(?:en)?|pingst(?:en)?", "pingstdagen"),
    (r"annandag(?:en)?\s*pingst(?:dagen)?", "annandag pingst"),
    (r"(?:sveriges\s+)?nationaldag(?:en)?|svenska\s+flaggans\s+dag", "nationaldagen"),
    (r"midsommarafton(?:en)?|midsommar(?:en)?", "midsommarafton"),
    (r"midsommardag(?:en)?", "midsommardagen"),
    (r"allhelgona\s*afton(?:en)?|alla\s+helgons\s+afton", "allhelgonaafton"),
    (
        r"alla\s+helgons\s+dag|allhelgonadag(?:en)?|alla\s*helgon|allhelgona(?:helgen)?",
        "alla helgons dag",
    ),
    (r"luciadagen|lucia\s+dagen", "lucia"),
)
_NAMED_DAY_REGEX = re.compile(
    r"(?<!\w)(?=[adfhjklmnpstv])(?:dagen\s+(?P<relation>fore|innan|efter)\s+)?(?:"
    + "|".join(
        f"(?P<named{i}>{pattern})(?!\\w)" for i, (pattern, _) in enumerate(_NAMED_DAY_PATTERNS)
    )
    + r")"
    + _YEAR
    + r"(?!\w)"
)


def _named(match: re.Match[str], today: date) -> _Candidate | None:
    name = next(
        _NAMED_DAY_PATTERNS[i][1]
        for i in range(len(_NAMED_DAY_PATTERNS))
        if match.group(f"named{i}") is not None
    )
    year = _year(match)
    shift = {"fore": -1, "innan": -1, "efter": 1}.get(match.group("relation") or "", 0)
    if year is not None:
        if not messages.year_supported(year):
            return _out_of_range(match.start(), match.end())
        day = named_day(name, year) + timedelta(days=shift)
    else:
        day = next_named_day(name, today - timedelta(days=shift)) + timedelta(days=shift)
    label = name if not shift else f"dagen {'efter' if shift > 0 else 'före'} {name}"
    return _Candidate(match.start(), match.end(), date=day, name=label)


_PATTERNS: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    # 2026-12-24
    (
        re.compile(
            _NOT_NUMBER_BEFORE
            + r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
            + _NOT_NUMBER_AFTER
        ),
        _numeric,
    ),
    # 24.12.2026
    (
        re.compile(
            _NOT_NUMBER_BEFORE + r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\."
            r"(?P<year>\d{4}|\d{2})" + _NOT_NUMBER_AFTER
        ),
        _numeric,
    ),
    # 24/12, 24/12 2026, 24/12-26, 24/12/2026
    (
        re.compile(
            _NOT_NUMBER_BEFORE + r"(?P<day>\d{1,2})/(?P<month>\d{1,2})"
            r"(?:(?:/|\s*-\s*|\s+)(?P<year>\d{4})|[/-](?P<year2>\d{2}))?"
            + _NOT_NUMBER_AFTER
            + _NOT_A_QUANTITY
        ),
        _numeric,
    ),
    # den 24 december, 24 dec, 24:e dec 2027, första maj, den tjugofjärde december
    (
        re.compile(
            r"(?<![\w.:/,-])(?:den\s+)?(?P<day>\d{1,2}|" + ORDINAL_PATTERN + r")"
            r"(?::?e|:a|\.)?\s*(?:i\s+)?(?P<month>"
            + MONTH_PATTERN
            + r")\.?(?!\w)"
            + _YEAR
            + _NOT_NUMBER_AFTER
        ),
        _day_month_name,
    ),
    # den 24, den 24:e, 24:e, den tjugofjärde
    (
        re.compile(
            r"(?<![\w.:/,-])(?:den\s+(?P<day>\d{1,3})(?::?e|:a)?|(?P<day2>\d{1,3}):(?:e|a)"
            r"|den\s+(?P<ordinal>" + ORDINAL_PATTERN + r"))" + _DAY_FOLLOW
        ),
        _day_only,
    ),
    (
        re.compile(
            r"(?<!\w)(?:i\s*(?P<word>dag|morgon|morn|morrn|morron|overmorgon|gar|forrgar|"
            r"kvall|eftermiddag|formiddag|morse)|(?P<word2>overmorgon|forrgar))"
            r"(?:\s+bitti)?(?!\w)"
        ),
        lambda m, t: _relative_any(m, t),
    ),
    (
        re.compile(
            r"(?<!\w)(?:(?P<next>(?:pa\s+|till\s+)?nasta\s+helg(?:en)?)|"
            r"(?:nu\s+)?(?:i|till|over|under|denna|den\s+har|kommande|pa)\s+helg(?:en)?|"
            r"helgen)(?!\w)"
        ),
        _weekend,
    ),
    (
        re.compile(r"(?<!\w)" + _ON + r"nasta\s+veckas\s+(?P<weekday>" + _WD + r")(?!\w)"),
        _weekday_factory("next_week"),
    ),
    (
        re.compile(r"(?<!\w)" + _ON + r"nasta\s+(?P<weekday>" + _WD + r")(?!\w)"),
        _weekday_factory("next_week"),
    ),
    (
        re.compile(
            r"(?<!\w)" + _ON + r"(?P<weekday>" + _WD + r")\s+(?:i\s+|pa\s+)?"
            r"nasta\s+vecka(?:n)?(?!\w)"
        ),
        _weekday_factory("next_week"),
    ),
    (
        re.compile(
            r"(?<!\w)" + _ON + r"(?P<weekday>" + _WD + r")\s+(?:nu\s+)?(?:i\s+veckan|"
            r"denna\s+vecka|den\s+har\s+veckan)(?!\w)"
        ),
        _weekday_factory("this_week"),
    ),
    (
        re.compile(
            r"(?<!\w)(?:i\s+(?P<weekday>"
            + _WD_PAST
            + r")|forra\s+(?P<weekday2>"
            + _WD
            + r"))(?!\w)"
        ),
        lambda m, t: _past_any(m, t),
    ),
    (
        re.compile(r"(?<!\w)(?P<weekday>" + _WD + r")\s+(?:i\s+)?forra\s+veckan(?!\w)"),
        _weekday_factory("last_week"),
    ),
    (
        re.compile(
            r"(?<!\w)(?:(?:nu\s+)?(?:pa|till|pa\s+kommande|kommande|nastkommande|i)\s+)?"
            r"(?P<weekday>" + _WD + r")(?!\w)"
        ),
        _weekday_factory("coming"),
    ),
    (
        re.compile(
            r"(?<!\w)(?:om\s+(?P<count>" + COUNT_PATTERN + r")\s+(?P<unit>dagar|dag|veckor|"
            r"vecka|manader|manad)|for\s+(?P<count2>" + COUNT_PATTERN + r")\s+"
            r"(?P<unit2>dagar|dag|veckor|vecka|manader|manad)\s+(?P<ago>sedan|sen))(?!\w)"
        ),
        lambda m, t: _offset_any(m, t),
    ),
    (_NAMED_DAY_REGEX, _named),
)

_PAST = _weekday_factory("past")


class _Regrouped:
    """A match view that renames alternative groups, so one handler serves both."""

    def __init__(self, match: re.Match[str], renames: dict[str, str]) -> None:
        self._match = match
        self._renames = renames

    def group(self, name: str | int = 0) -> str | None:
        if isinstance(name, str) and self._match.group(name) is None and name in self._renames:
            return self._match.group(self._renames[name])
        return self._match.group(name)

    def start(self) -> int:
        return self._match.start()

    def end(self) -> int:
        return self._match.end()


def _relative_any(match: re.Match[str], today: date) -> _Candidate:
    return _relative(_Regrouped(match, {"word": "word2"}), today)  # type: ignore[arg-type]


def _past_any(match: re.Match[str], today: date) -> _Candidate | None:
    return _PAST(_Regrouped(match, {"weekday": "weekday2"}), today)  # type: ignore[arg-type]


def _offset_any(match: re.Match[str], today: date) -> _Candidate:
    renamed = _Regrouped(match, {"count": "count2", "unit": "unit2"})
    return _offset(renamed, today)  # type: ignore[arg-type]


_MERGE_GAP = re.compile(r"\s*,?\s*(?:den\s+)?")


def _non_overlapping(candidates: list[_Candidate]) -> list[_Candidate]:
    """Earliest first; at the same start the longest wins; overlapping later ones drop."""
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if not chosen or candidate.start >= chosen[-1].end:
            chosen.append(candidate)
    return chosen


def _merge_weekday_with_date(chosen: list[_Candidate], folded: str) -> list[_Candidate]:
    """ "fredag 24 december" is one expression; the weekday must agree with the date."""
    merged: list[_Candidate] = []
    for candidate in chosen:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.weekday is not None
            and candidate.explicit
            and _MERGE_GAP.fullmatch(folded, previous.end, candidate.start)
        ):
            combined = replace(candidate, start=previous.start)
            if candidate.date is not None and candidate.date.weekday() != previous.weekday:
                combined = replace(
                    combined,
                    date=None,
                    error=DateErrorKind.WEEKDAY_MISMATCH,
                    message=messages.weekday_mismatch_message(candidate.date, previous.weekday),
                )
            merged[-1] = combined
        else:
            merged.append(candidate)
    return merged


def _span(original: str, folded: FoldedText, start: int, end: int) -> Span:
    real_start, real_end = folded.original_offset(start), folded.original_offset(end)
    return Span(real_start, real_end, original[real_start:real_end])


def _today(now: datetime | None) -> date:
    if now is None:
        return clock.today(STOCKHOLM)
    if now.tzinfo is None:
        return now.date()  # a naive datetime is taken as Stockholm wall time
    return now.astimezone(STOCKHOLM).date()


def _parse(text: str, now: datetime | None) -> DateParse:
    if not isinstance(text, str) or not text:
        return NO_DATE
    text = text[:MAX_TEXT_LENGTH]
    today = _today(now)
    folded = fold_text(text)
    found: list[_Candidate] = []
    for pattern, handler in _PATTERNS:
        for match in pattern.finditer(folded.text):
            candidate = handler(match, today)
            if candidate is not None:
                found.append(candidate)
    chosen = _merge_weekday_with_date(_non_overlapping(found), folded.text)
    first = chosen[0] if chosen else None
    times = [
        t
        for t in find_times(folded.text)
        if not any(c.start <= t.start and t.end <= c.end for c in chosen)
    ]
    first_time = min(times, key=lambda t: (t.start, -t.end)) if times else None
    if first_time is not None and first_time.time is not None:
        first_time = _morning_if_said(first_time, folded.text)

    result = NO_DATE
    if first is not None and first.date is not None and not messages.year_supported(
        first.date.year
    ):  # reached by counting ("om 300 år"), not by writing the year
        first = _out_of_range(first.start, first.end)
    if first is not None:
        result = DateParse(
            date=first.date,
            span=_span(text, folded, first.start, first.end),
            error=first.error,
            message=first.message,
            name=first.name,
        )
    if first_time is not None:
        time_span = _span(text, folded, first_time.start, first_time.end)
        if first_time.time is not None:
            result = replace(result, time=first_time.time, time_span=time_span)
        elif result.error is None:
            result = replace(
                result,
                time_span=time_span,
                error=DateErrorKind.NO_SUCH_TIME,
                message=messages.no_such_time_message(first_time.hour, first_time.minute),
            )
    if first is None and first_time is None and now is not None:
        result = _relative_moment(text, folded, now) or result
    return result


_MORNING_WORDS = re.compile(r"(?<!\w)(?:bitti|i\s+ottan|pa\s+morgonen|morgonen|formiddagen)(?!\w)")


def _morning_if_said(found: TimeMatch, folded: str) -> TimeMatch:
    """"kl 7 imorgon bitti": a morning word anywhere keeps a short hour in the morning."""
    assert found.time is not None
    written = folded[found.start : found.end]
    afternoon = found.time.hour
    if 13 <= afternoon <= 19 and str(afternoon) not in written and _MORNING_WORDS.search(folded):
        return replace(found, time=found.time.replace(hour=afternoon - 12), hour=afternoon - 12)
    return found


def _relative_moment(text: str, folded: FoldedText, now: datetime) -> DateParse | None:
    """"om en timme": the date and minute that far from ``now`` (Stockholm wall time)."""
    found = find_relative_offset(folded.text)
    if found is None:
        return None
    start, end, offset = found
    local = now.astimezone(STOCKHOLM) if now.tzinfo else now
    moment = (local + offset).replace(second=0, microsecond=0)
    where = _span(text, folded, start, end)
    return DateParse(date=moment.date(), time=moment.time(), span=where, time_span=where)


def parse_date_expression(text: str, now: datetime | None = None) -> DateParse:
    """The date and time ``text`` refers to, seen from ``now`` (default: the clock).

    ``now`` should be aware; it is converted to Europe/Stockholm (a naive one is taken
    as Stockholm time). Never raises: unusable input gives ``NO_DATE``.
    """
    try:
        return _parse(text, now)
    except Exception:  # a chat reply must never fail on a date phrase
        logger.exception("Date parsing failed; treating the message as having no date")
        return NO_DATE
