"""Moments relative to now: "om en timme", "om en halvtimme", "om 20 minuter", "om en kvart".

Answered for that moment (open then or not), so the parser turns them into a date and
a clock time. Only the future is meant: "för en timme sedan" is not a question about
opening hours.
"""

from __future__ import annotations

import re
from datetime import timedelta

from kontaktcenter.dates.vocabulary import COUNT_WORDS

_COUNT = r"(?P<count>en|ett|\d{1,3}|[a-z]+)"
_RELATIVE = re.compile(
    r"(?<!\w)om\s+(?:(?:ungefar|ca|cirka|typ)\s+)?"
    r"(?:(?P<half>en\s+halvtimme|en\s+halv\s+timme|halvtimme)"
    r"|(?P<quarter>en\s+kvart)"
    r"|" + _COUNT + r"\s+(?P<unit>timmar|timme|tim|h|minuter|minut|min))(?!\w)"
)
MAX_AHEAD = timedelta(days=2)


def find_relative_offset(folded: str) -> tuple[int, int, timedelta] | None:
    """(start, end, offset) of the first "om …" expression in folded text, or None."""
    for match in _RELATIVE.finditer(folded):
        if match.group("half"):
            return match.start(), match.end(), timedelta(minutes=30)
        if match.group("quarter"):
            return match.start(), match.end(), timedelta(minutes=15)
        raw = match.group("count")
        count = 1 if raw in ("en", "ett") else int(raw) if raw.isdigit() else COUNT_WORDS.get(raw)
        if count is None or count <= 0:
            continue
        unit = match.group("unit")
        hours = unit.startswith(("tim", "h"))
        offset = timedelta(hours=count) if hours else timedelta(minutes=count)
        if offset > MAX_AHEAD:
            continue
        return match.start(), match.end(), offset
    return None
