"""The product's one clock: every process reads the time here and nowhere else.

``KC_NOW`` (ISO 8601, local Europe/Stockholm time unless it carries an offset, for
example ``KC_NOW=2026-12-24T10:00``) starts the clock at that moment when the process
first reads it; time then runs forward normally, so "om en timme" still works. Unset,
the real clock is used. ``KC_NOW_ANCHOR`` (seconds since the epoch on the real clock,
optional) says at which real moment the clock showed ``KC_NOW``; ``scripts/run.sh`` and
the end-to-end tests set it so that every process they start shares one clock to the
second (otherwise each process would start its clock when it first reads it).

Tests inside one process freeze time with freezegun, which this module honours because
it reads ``datetime.now`` and ``time.time`` on each call.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENV_VAR = "KC_NOW"
ANCHOR_VAR = "KC_NOW_ANCHOR"

logger = logging.getLogger(__name__)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Offset:
    """Seconds added to the real clock (0.0 when KC_NOW is unset)."""

    seconds: float


def parse_start(value: str) -> datetime:
    """``KC_NOW``'s value as an aware datetime; naive values are Stockholm wall time."""
    text = value.strip()
    if not text:
        raise ValueError(f"{ENV_VAR} är tomt")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{ENV_VAR}={value!r} är ingen tidpunkt; skriv t.ex. {ENV_VAR}=2026-12-24T10:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment


def _offset() -> _Offset:
    """Read ``KC_NOW`` once per process (under a lock: threads may ask at once)."""
    with _LOCK:
        return _read_offset()


@lru_cache(maxsize=1)
def _read_offset() -> _Offset:
    """``KC_NOW`` as an offset from the real clock; warns once that it is overridden."""
    value = os.environ.get(ENV_VAR, "")
    if not value.strip():
        return _Offset(0.0)
    start = parse_start(value)
    offset = start.timestamp() - _anchor()
    logger.warning(
        "Klockan är omställd: %s=%s (Europe/Stockholm); tiden går framåt därifrån.",
        ENV_VAR,
        start.isoformat(),
    )
    return _Offset(offset)


def _anchor() -> float:
    """The real moment at which the clock showed ``KC_NOW`` (now, unless anchored)."""
    raw = os.environ.get(ANCHOR_VAR, "").strip()
    if not raw:
        return time.time()
    try:
        return float(raw)
    except ValueError:
        raise ValueError(
            f"{ANCHOR_VAR}={raw!r} är inget tal; ange sekunder sedan 1970 (t.ex. från date +%s)"
        ) from None


def reset() -> None:
    """Forget the cached ``KC_NOW`` offset (tests that change the environment)."""
    with _LOCK:
        _read_offset.cache_clear()


def offset_seconds() -> float:
    """How far the product clock runs ahead of the real clock (0.0 without KC_NOW)."""
    return _offset().seconds


def rasa_timestamp() -> float:
    """The real clock in seconds, for events that must sort among Rasa's own events.

    Rasa stamps every event with the real ``time.time()`` whatever ``KC_NOW`` says, and
    its SQL tracker store loads a session by comparing those stamps; an event we add to
    a tracker must be on that same timeline. Convert to product time with
    :func:`from_rasa_timestamp`.
    """
    return time.time()


def from_rasa_timestamp(seconds: float) -> datetime:
    """A Rasa event stamp (real clock) as an aware UTC instant on the product clock."""
    return datetime.fromtimestamp(seconds + _offset().seconds, timezone.utc)


def timestamp() -> float:
    """Seconds since the epoch on the product's clock (for Rasa event timestamps)."""
    return time.time() + _offset().seconds


def now_utc() -> datetime:
    """The current instant, aware, in UTC (stored timestamps)."""
    offset = _offset().seconds
    current = datetime.now(timezone.utc)
    if offset:
        current = datetime.fromtimestamp(current.timestamp() + offset, timezone.utc)
    return current


def now(zone: ZoneInfo = STOCKHOLM) -> datetime:
    """The current instant as an aware datetime in ``zone`` (Stockholm by default)."""
    return now_utc().astimezone(zone)


def today(zone: ZoneInfo = STOCKHOLM) -> date:
    """Today's date in ``zone``."""
    return now(zone).date()


def main() -> int:
    """``python -m kontaktcenter.clock``: print the product time; exit 2 on a bad KC_NOW."""
    try:
        current = now()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(current.isoformat(timespec="seconds"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
