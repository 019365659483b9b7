"""Clock times in Swedish chat text: "kl 17", "klockan 17:30", "halv fem", "kvart i fem".

Day-time convention (an office answers in office hours): an hour from 1 to 7 written
without a leading zero, as a word ("halv fem", "klockan tre") or a bare digit after
"kl" ("kl 5"), means the afternoon, 13–19. "05.30", "kl 05" or a following
"på morgonen"/"fm" keep the morning; "em"/"på eftermiddagen"/"på kvällen" force it.
Spoken forms count from the named hour: "halv fem" = 16.30, "kvart i nio" = 08.45.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from kontaktcenter.dates.vocabulary import HOUR_WORD_PATTERN, HOUR_WORDS


@dataclass(frozen=True)
class TimeMatch:
    """A time found at folded offsets [start, end); ``time`` is None when impossible."""

    start: int
    end: int
    time: time | None
    hour: int
    minute: int


_DAYPART = (
    r"(?:\s*(?:(?P<morning>fm|f\.m\.|pa\s+morgonen|pa\s+formiddagen)"
    r"|(?P<evening>em|e\.m\.|pa\s+eftermiddagen|pa\s+kvallen))(?!\w))?"
)
_HOUR = rf"(?P<hour>{HOUR_WORD_PATTERN}|\d{{1,2}})"
_END = r"(?![\w]|[.:,]\d)"

# "kl 17", "kl. 17.30", "klockan 17:30", "kl 5"
_CLOCK_DIGITS = re.compile(
    r"(?<!\w)(?:kl\.?|klockan)\s*(?P<hour>\d{1,2})(?:\s*[.:]\s*(?P<minute>\d{2}))?"
    + _END
    + _DAYPART
)
# "17.30", "17:30", "08.00" without "kl"
_BARE_DIGITS = re.compile(
    r"(?<![\w.:/,-])(?P<hour>\d{1,2})[.:](?P<minute>\d{2})(?![\w]|[.:,/-]?\d)"
    r"(?!\s*(?:kr|kronor|sek|euro|procent|%|:-)(?!\w))" + _DAYPART
)
# "kvart över nio", "tio i fyra", "fem i halv fyra", "halv fem", "klockan fem"
_SPOKEN = re.compile(
    r"(?<!\w)(?:(?:vid|kl\.?|klockan)\s+)?"
    r"(?:(?P<offset>kvart|fem|tio|tjugo|tjugofem)\s+(?P<direction>over|i)\s+)?"
    r"(?P<half>halv\s+)?" + _HOUR + r"(?!\w)" + _DAYPART
)
_SPOKEN_ANCHOR = re.compile(r"(?<!\w)(?:kl\.?|klockan|halv|kvart|over|i)\s")

_OFFSET_MINUTES = {"kvart": 15, "fem": 5, "tio": 10, "tjugo": 20, "tjugofem": 25}


def _hour_value(raw: str) -> tuple[int, bool]:
    """(hour, written_short): short means a word or a digit without a leading zero."""
    if raw.isdigit():
        return int(raw), len(raw) == 1
    return HOUR_WORDS[raw], True


def _daypart_hour(hour: int, short: bool, match: re.Match[str]) -> int:
    if match.group("morning"):
        return 0 if hour == 12 else hour
    if match.group("evening"):
        return hour + 12 if 1 <= hour <= 11 else hour
    return hour + 12 if short and 1 <= hour <= 7 else hour


def _build(start: int, end: int, hour: int, minute: int) -> TimeMatch:
    if hour == 24 and minute == 0:
        return TimeMatch(start, end, time(0, 0), hour, minute)
    if 0 <= hour <= 23 and 0 <= minute <= 59:
        return TimeMatch(start, end, time(hour, minute), hour, minute)
    return TimeMatch(start, end, None, hour, minute)


def _spoken(match: re.Match[str]) -> TimeMatch | None:
    has_anchor = match.group("offset") or match.group("half")
    written = match.group(0)
    if not has_anchor and not re.match(r"(?:kl\.?|klockan)\s", written):
        return None
    hour_raw = match.group("hour")
    if hour_raw.isdigit() and not has_anchor:
        return None  # "kl 17" belongs to _CLOCK_DIGITS
    hour, short = _hour_value(hour_raw)
    if hour > 24 or hour == 0:
        return _build(match.start(), match.end(), hour, 0)
    minutes = (_daypart_hour(hour, short, match) if hour <= 12 else hour) * 60
    if match.group("half"):
        minutes -= 30
    if match.group("offset"):
        shift = _OFFSET_MINUTES[match.group("offset")]
        minutes += shift if match.group("direction") == "over" else -shift
    minutes %= 24 * 60
    return _build(match.start(), match.end(), minutes // 60, minutes % 60)


def find_times(folded: str) -> list[TimeMatch]:
    """Every clock time in folded text, possibly overlapping (the caller picks)."""
    found: list[TimeMatch] = []
    for match in _CLOCK_DIGITS.finditer(folded):
        hour, short = _hour_value(match.group("hour"))
        minute = int(match.group("minute") or 0)
        if hour <= 24:
            hour = _daypart_hour(hour, short and match.group("minute") is None, match)
        found.append(_build(match.start(), match.end(), hour, minute))
    for match in _BARE_DIGITS.finditer(folded):
        hour, minute = int(match.group("hour")), int(match.group("minute"))
        if hour > 24:
            continue  # "25.50" is more likely a price or a number than a time
        found.append(_build(match.start(), match.end(), _daypart_hour(hour, False, match), minute))
    if _SPOKEN_ANCHOR.search(folded):
        for match in _SPOKEN.finditer(folded):
            spoken = _spoken(match)
            if spoken is not None:
                found.append(spoken)
    return found
