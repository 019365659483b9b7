"""The Swedish words the register stores and shows: sender roles, actions, numbers.

Statuses are codes of :mod:`kontaktcenter.records.states`, with their labels there.
"""

from __future__ import annotations

import re

ROLE_RESIDENT = "invånare"
ROLE_BOT = "chattbot"
ROLE_STAFF = "kommunvägledare"

ANONYMOUS_SENDER = "Anonym invånare"
DEFAULT_SUBJECT = "Chattkonversation med kontaktcenter"

ACTION_READ_ORIGINAL = "läsning av original"
ACTION_READ_DENIED = "nekad läsning av original"
ACTION_EXPORT = "utlämnande"
ACTION_STATUS = "statusändring"

DISPOSAL_DELETED = "raderad"
DISPOSAL_ANONYMISED = "avidentifierad"

_CHANNEL_LABELS = {"socketio": "webbchatt", "rest": "chatt (REST)", "cmdline": "kommandorad"}


def channel_label(channel: str | None) -> str:
    """How staff and requesters see a Rasa input channel name."""
    if not channel:
        return "chatt"
    return _CHANNEL_LABELS.get(channel, channel)


DIARIENUMMER_PREFIX = "KC"
DIARIENUMMER_RE = re.compile(r"^KC-(\d{4})-(\d{6})$")


def format_diarienummer(year: int, seq: int) -> str:
    """``KC-2026-000042``; six digits keep the numbers sortable within a year."""
    if not 0 < seq <= 999_999:
        raise ValueError(f"Löpnumret {seq} ryms inte i ett diarienummer.")
    return f"{DIARIENUMMER_PREFIX}-{year:04d}-{seq:06d}"


def parse_diarienummer(value: str) -> tuple[int, int]:
    """(year, seq) of a diarienummer, or a Swedish ValueError for anything else."""
    text = (value or "").strip().upper()
    match = DIARIENUMMER_RE.match(text)
    if not match:
        shown = (value or "").strip()[:40] or "(tomt)"
        raise ValueError(f"Ogiltigt diarienummer: {shown!r}. Det ska se ut som KC-2026-000123.")
    return int(match.group(1)), int(match.group(2))


def normalise_diarienummer(value: str) -> str:
    year, seq = parse_diarienummer(value)
    return format_diarienummer(year, seq)
