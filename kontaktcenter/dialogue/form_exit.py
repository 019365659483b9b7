"""When the message form should let the resident go instead of asking again.

A form that repeats "Hur kan vi nå dig?" whatever the resident writes is a trap: a
resident who asks something else, or cannot give a contact twice, is let out politely,
and a question they asked meanwhile is answered (the action layer runs the answer).
"""

from __future__ import annotations

import re

# Intents that mean "I am asking something else now", not "here is my contact".
QUESTION_INTENTS = frozenset({
    "ask_opening_hours", "ask_open_now", "ask_deviating_hours", "followup", "ask_address",
    "ask_phone", "ask_chat", "ask_contact", "ask_privacy", "ask_social_media",
    "ask_case_number", "ask_capabilities", "hid_what", "hid_where", "hid_when",
    "hid_purpose", "hid_coordinator", "hid_who_behind", "hid_innovative_city", "hid_h22",
    "frustrated", "request_human", "bot_challenge",
})
SURE = 0.6
_CONTACT_LIKE = re.compile(r"@|\d[\d\s-]{5,}\d")

CANCELLED = (
    "Jag avbryter meddelandet, eftersom jag inte fick någon e-postadress eller något "
    'telefonnummer. Skriv "lämna meddelande" om du vill försöka igen.'
)


_WORD = re.compile(r"[^\W\d_]{2,}")


def is_other_question(intent: str | None, confidence: float, text: str) -> bool:
    """A clear question about something else, in words, with nothing like a contact in it
    ("123" is a mistyped phone number to ask about again, not a question)."""
    text = text or ""
    return (
        intent in QUESTION_INTENTS
        and confidence >= SURE
        and len(_WORD.findall(text)) >= 2
        and not _CONTACT_LIKE.search(text)
    )


MAX_ATTEMPTS = 4  # however hard someone tries, the form never asks a fifth time


def looks_like_an_attempt(text: str) -> bool:
    """"anna@exempel", "123": a contact typed wrong, worth asking about again."""
    return "@" in (text or "") or any(ch.isdigit() for ch in text or "")


def give_up(intent: str | None, confidence: float, text: str, failures_before: int) -> bool:
    """Stop asking: the resident moved on, gave a second answer that is no contact at all,
    or has tried MAX_ATTEMPTS times."""
    if is_other_question(intent, confidence, text):
        return True
    if failures_before + 1 >= MAX_ATTEMPTS:
        return True
    return failures_before >= 1 and not looks_like_an_attempt(text)
