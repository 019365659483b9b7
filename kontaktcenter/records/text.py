"""Small text and time helpers shared by the register, export and CLI."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from kontaktcenter import clock

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None, limit: int | None = None) -> str:
    """Drop control characters (PostgreSQL refuses NUL) but keep line breaks and tabs."""
    value = _CONTROL.sub("", text or "")
    value = "".join(
        ch for ch in value if ch in "\n\r\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return value[:limit] if limit else value


def one_line(text: str | None, limit: int = 200) -> str:
    """A name or label: control characters and line breaks gone, trimmed."""
    return " ".join(clean(text).split())[:limit]


def fold(text: str) -> str:
    """Case-folded text for searching (å, ä, ö too, unlike SQLite's lower())."""
    return text.casefold()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def local(value: datetime) -> datetime:
    return value.astimezone(STOCKHOLM)


def local_text(value: datetime | None) -> str:
    """``2026-11-27 14:03`` in Swedish local time, or an empty string."""
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def utc_now() -> datetime:
    return clock.now_utc()


def parse_day(text: str, what: str = "datum") -> date:
    """``YYYY-MM-DD`` or a Swedish ValueError."""
    value = (text or "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        shown = value[:40] or "(tomt)"
        raise ValueError(
            f"Ogiltigt {what}: {shown!r}. Skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2026-11-27."
        ) from None


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Stockholm, as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM).astimezone(timezone.utc)


def count_cases(n: int) -> str:
    """``1 ärende`` / ``3 ärenden``."""
    return f"{n} ärende" if n == 1 else f"{n} ärenden"
