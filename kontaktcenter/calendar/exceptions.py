"""Date-specific deviations that staff maintain, their validation and a cheap cached view.

The bot reads deviations on every question so that a change made by staff applies at
once, without retraining. A short TTL cache keeps each question well under a
millisecond; writes through :class:`~kontaktcenter.calendar.repository.ExceptionRepository`
invalidate it immediately in the same process, other processes see it within the TTL.
"""

from __future__ import annotations

import logging
import threading
import time as _time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from types import MappingProxyType
from typing import Protocol

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 300
MAX_DAYS_BACK = 366
MAX_DAYS_AHEAD = 5 * 366


@dataclass(frozen=True)
class OpeningException:
    """One date that deviates from the calculated hours: open ``opens``–``closes`` or closed."""

    day: date
    closed: bool
    opens: time | None = None
    closes: time | None = None
    note: str = ""


def _clean_note(note: str | None) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValueError("Anteckningen måste vara text.")
    text = unicodedata.normalize("NFC", note).strip()
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in text):
        raise ValueError(
            "Anteckningen innehåller otillåtna tecken (till exempel radbrytningar eller "
            "styrtecken). Skriv den på en rad med vanlig text."
        )
    if "<" in text or ">" in text:
        raise ValueError("Anteckningen får inte innehålla HTML eller tecknen < och >.")
    if len(text) > NOTE_MAX_LENGTH:
        raise ValueError(
            f"Anteckningen är för lång ({len(text)} tecken). Högst {NOTE_MAX_LENGTH} tecken."
        )
    return " ".join(text.split())


def validate_exception(
    day: date,
    *,
    closed: bool,
    opens: time | None = None,
    closes: time | None = None,
    note: str | None = None,
    today: date,
) -> OpeningException:
    """A checked :class:`OpeningException`; raises ValueError with a Swedish message."""
    if not isinstance(day, date):
        raise ValueError("Ange ett datum.")
    if day < today - timedelta(days=MAX_DAYS_BACK) or day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValueError(
            f"Datumet {day.isoformat()} är orimligt. Avvikelser kan läggas in högst ett år "
            "bakåt och fem år framåt."
        )
    if closed:
        if opens is not None or closes is not None:
            raise ValueError(
                "En stängd dag kan inte ha öppettider. Ange antingen stängt eller tider."
            )
        return OpeningException(day, True, None, None, _clean_note(note))
    if opens is None or closes is None:
        raise ValueError("Ange både öppningstid och stängningstid, eller att dagen är stängd.")
    if opens.second or opens.microsecond or closes.second or closes.microsecond:
        raise ValueError("Ange tider i hela minuter, t.ex. 08.00.")
    if not opens < closes:
        raise ValueError(
            f"Öppningstiden ({opens:%H.%M}) måste vara före stängningstiden ({closes:%H.%M})."
        )
    return OpeningException(day, False, opens, closes, _clean_note(note))


class ExceptionSource(Protocol):
    """Anything that can say which deviation (if any) applies to a date."""

    def exceptions(self) -> Mapping[date, OpeningException]:
        """All known deviations by date (a cheap, read-only view)."""
        ...


class StaticExceptions:
    """A fixed set of deviations: for tests and for running without a database."""

    def __init__(self, items: Iterable[OpeningException] = ()) -> None:
        self._items = MappingProxyType({item.day: item for item in items})

    def exceptions(self) -> Mapping[date, OpeningException]:
        return self._items


class CachedExceptions:
    """Deviations loaded through ``load`` at most once per ``ttl_seconds``.

    If loading fails (database briefly unreachable) the last good data is kept and the
    failure is logged; the calendar then still answers with regular hours and red days.
    """

    def __init__(
        self,
        load: Callable[[], Iterable[OpeningException]],
        ttl_seconds: float = 5.0,
        monotonic: Callable[[], float] = _time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._items: Mapping[date, OpeningException] = MappingProxyType({})
        self._expires = float("-inf")
        self.last_error: Exception | None = None

    def invalidate(self) -> None:
        """Force a reload on the next read (called after every write)."""
        with self._lock:
            self._expires = float("-inf")

    def exceptions(self) -> Mapping[date, OpeningException]:
        now = self._monotonic()
        if now < self._expires:
            return self._items
        with self._lock:
            if now < self._expires:
                return self._items
            try:
                self._items = MappingProxyType({item.day: item for item in self._load()})
                self.last_error = None
            except Exception as exc:  # never let a database hiccup break an answer
                logger.warning("Kunde inte läsa avvikande öppettider: %s", exc)
                self.last_error = exc
            self._expires = now + self._ttl
            return self._items
