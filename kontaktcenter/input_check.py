"""Recognise messages that cannot be interpreted, so the bot answers them politely.

Empty text, only symbols or emoji, or a wall of text gets a clear Swedish reply
instead of a guessed answer. The message itself is still stored in full.
"""

from __future__ import annotations

import enum
import unicodedata

MAX_INTERPRETABLE_CHARS = 1000


class InputProblem(str, enum.Enum):
    EMPTY = "empty"
    NO_WORDS = "no_words"
    TOO_LONG = "too_long"


def clean_text(text: str) -> str:
    """Drop control and format characters (keep ordinary white space)."""
    return "".join(
        ch if ch in "\n\t " or unicodedata.category(ch)[0] != "C" else " " for ch in text
    ).strip()


def input_problem(text: str | None) -> InputProblem | None:
    """What makes ``text`` uninterpretable, or None when it is an ordinary message."""
    cleaned = clean_text(text or "")
    if not cleaned:
        return InputProblem.EMPTY
    if len(cleaned) > MAX_INTERPRETABLE_CHARS:
        return InputProblem.TOO_LONG
    if not any(ch.isalpha() or ch.isdigit() for ch in cleaned):
        return InputProblem.NO_WORDS
    return None
