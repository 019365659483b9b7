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


# ---------------------------------------------------------------- what channels accept
# One limit for every channel, checked before NLU. The register keeps up to
# records.register.MAX_MESSAGE_CHARS characters, so everything accepted is kept whole.
MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128
# Metadata keys only staff-side code may set (kc_agent, kc_closed, kc_resident_name, ...).
STAFF_METADATA_PREFIX = "kc_"

TOO_LONG_REFUSED = (
    f"Ditt meddelande är för långt: högst {MAX_MESSAGE_CHARS:,} tecken går att skicka, "
    "så det har inte sparats. Dela gärna upp det i kortare meddelanden."
).replace(",", "\u00a0")
EMPTY_REFUSED = "Meddelandet var tomt. Skriv din fråga och skicka igen."
NOT_TEXT_REFUSED = "Meddelandet måste vara text. Skriv din fråga och skicka igen."
BAD_SENDER_REFUSED = (
    "Avsändaren (sender) saknas eller är ogiltig: den ska vara text med 1–"
    f"{MAX_SENDER_CHARS} tecken utan kontrolltecken."
)
SENDER_TAKEN_REFUSED = (
    "Den här konversationen tillhör webbchatten och kan inte användas här. "
    "Starta en ny konversation med en egen avsändare."
)
BAD_BODY_REFUSED = (
    'Begäran gick inte att läsa. Skicka JSON som {"sender": "...", "message": "..."}.'
)
FLOOD_REFUSED = (
    "Du skickar många meddelanden på kort tid. Vänta en stund och försök igen om en stund."
)


def repair_text(text: str) -> str:
    """Replace lone surrogates (invalid UTF-16 halves) with U+FFFD.

    JSON may carry ``"\\ud800"``; such a string cannot be encoded as UTF-8, crashed
    spaCy and could not be stored. Everything else is kept exactly as written.
    """
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    # Through UTF-16, a split pair becomes its character again and a lone half one U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def sender_problem(sender: object) -> str | None:
    """Why ``sender`` cannot name a conversation (Swedish), or None when it can.

    Invalid ids are refused, never normalised: normalising made different ids share one
    ärende, and a missing id put everyone in a shared "default" conversation.
    """
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        return BAD_SENDER_REFUSED
    if sender != sender.strip():
        return BAD_SENDER_REFUSED
    for ch in sender:
        category = unicodedata.category(ch)
        if category[0] == "C" or (category[0] == "Z" and ch != " "):
            return BAD_SENDER_REFUSED
    return None


def resident_metadata(metadata: object) -> dict:
    """The resident's metadata without keys reserved for staff-side code."""
    if not isinstance(metadata, dict):
        return {}
    return {
        key: value
        for key, value in metadata.items()
        if isinstance(key, str) and not key.lower().startswith(STAFF_METADATA_PREFIX)
    }
