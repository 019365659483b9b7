"""What every resident channel checks before a message reaches Rasa (REST and socket.io).

* The text: a string of at most ``MAX_MESSAGE_CHARS`` (one limit for all channels, said
  to the resident, nothing cut silently) with something the register keeps (not empty,
  not only control characters); lone surrogates replaced so spaCy and the database can
  take it.
* Residents' text is always text: Rasa reads any text starting with "/" as an intent
  with entities (``/session_start``, ``/request_human``, ``/ask_opening_hours{"date":[1]}``).
  Such text goes on only when it is exactly a button payload the bot offered in its last
  message in that conversation; otherwise it is passed with a ready parse (intent
  ``nlu_fallback``, no entities), so NLU never unpacks it and the bot says it did not
  understand. The text itself is stored unchanged.
* Metadata: keys reserved for staff-side code (``kc_*``) are dropped.
* Floods: per sender and per address (kontaktcenter.flood), refused with a Swedish reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import BotUttered

from kontaktcenter.input_check import (
    EMPTY_REFUSED,
    MAX_MESSAGE_CHARS,
    NOT_TEXT_REFUSED,
    TOO_LONG_REFUSED,
    repair_text,
)
from kontaktcenter.records.text import clean

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Refusal:
    """A message not passed to Rasa: the HTTP status and what the resident is told."""

    status: int
    text: str


def checked_text(value: Any) -> str | Refusal:
    """The message text to pass on, or why it is refused."""
    if not isinstance(value, str):
        return Refusal(400, NOT_TEXT_REFUSED)
    if len(value) > MAX_MESSAGE_CHARS:
        return Refusal(413, TOO_LONG_REFUSED)
    value = repair_text(value)
    if not clean(value).strip():  # nothing the register could keep: nothing to accept
        return Refusal(400, EMPTY_REFUSED)
    return value


def looks_like_payload(text: str) -> bool:
    return text.strip().startswith(INTENT_MESSAGE_PREFIX)


def offered_payloads(events: Any) -> set[str]:
    """Button payloads of the latest bot message in a tracker's events."""
    for event in reversed(list(events or [])):
        if isinstance(event, BotUttered):
            data = event.data or {}
            buttons = [*(data.get("buttons") or []), *(data.get("quick_replies") or [])]
            return {
                b["payload"].strip()
                for b in buttons
                if isinstance(b, dict) and isinstance(b.get("payload"), str)
            }
    return set()


def text_only_parse(text: str) -> dict[str, Any]:
    """A ready NLU result that makes Rasa treat ``text`` as not understood."""
    intent = {"name": FALLBACK_INTENT, "confidence": 1.0}
    return {"text": text, "intent": intent, "intent_ranking": [intent], "entities": []}


async def parse_override(agent: Any, sender_id: str, text: str) -> dict[str, Any] | None:
    """None when Rasa may parse ``text`` itself; else the parse that keeps it plain text."""
    if not looks_like_payload(text):
        return None
    offered: set[str] = set()
    store = getattr(agent, "tracker_store", None)
    if store is not None:
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # no tracker, no offer: the text stays text
            logger.exception("Tracker lookup for a button payload failed")
            tracker = None
        if tracker is not None:
            offered = offered_payloads(tracker.events)
    if text.strip() in offered:
        return None
    return text_only_parse(text)
