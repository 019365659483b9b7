"""The one place that reads Rasa's event format: Rasa event dicts in, register events out.

Rasa's event broker publishes ``{"sender_id", "event", "timestamp", ...}`` dicts, and
the tracker the console fetches holds the same shapes. Everything else (ingestion, the
console transcript, the Rasa client) works with the small, typed events defined here,
so a change in Rasa's format is a change in this module only.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kontaktcenter import clock
from kontaktcenter.delivery import delivery_of
from kontaktcenter.records.text import clean, one_line

MAX_MESSAGE_CHARS = 20_000
# Metadata the console puts on a kommunvägledare's message (see kontaktcenter.rasa_client).
AGENT_METADATA_KEY = "kc_agent"
AGENT_FULL_NAME_METADATA_KEY = "kc_agent_name"
AGENT_USERNAME_METADATA_KEY = "kc_agent_username"
RESIDENT_NAME_METADATA_KEY = "kc_resident_name"

RESIDENT = "resident"
BOT = "bot"
AGENT = "agent"


@dataclass(frozen=True)
class SessionStarted:
    conversation_id: str
    at: datetime
    channel: str | None


@dataclass(frozen=True)
class ChatMessage:
    """A message of the chat: from the resident, the bot or a kommunvägledare."""

    conversation_id: str
    at: datetime
    author: str  # RESIDENT, BOT or AGENT
    text: str
    key: str  # stable identity: the same Rasa event always gives the same key
    intent: str | None = None
    # NLU's confidence and its best guess other than the fallback (the insights' missed
    # questions are judged on these).
    intent_confidence: float | None = None
    predicted_intent: str | None = None
    channel: str | None = None
    agent: str | None = None  # "Anna Andersson (anna)" for AGENT messages
    resident_name: str | None = None


RegisterEvent = SessionStarted | ChatMessage


FALLBACK_INTENT = "nlu_fallback"


def _nlu_scores(event: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The intent's confidence and NLU's best non-fallback intent."""
    parse_data = event.get("parse_data")
    if not isinstance(parse_data, Mapping):
        return None, None
    intent = parse_data.get("intent")
    confidence = None
    if isinstance(intent, Mapping):
        try:
            confidence = float(intent["confidence"])
        except (KeyError, TypeError, ValueError):
            confidence = None
        if confidence is not None and not math.isfinite(confidence):
            confidence = None
    ranking = parse_data.get("intent_ranking")
    for entry in ranking if isinstance(ranking, list) else []:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if name and name != FALLBACK_INTENT:
            return confidence, one_line(str(name), 100)
    name = intent.get("name") if isinstance(intent, Mapping) else None
    best = one_line(str(name), 100) if name and name != FALLBACK_INTENT else None
    return confidence, best


def event_time(event: Mapping[str, Any]) -> datetime:
    """The event's UTC time on the product clock; the product clock now if broken.

    Rasa stamps events with the real clock whatever ``KC_NOW`` says; the register keeps
    every time on the product clock, so that its own checks (idle ärenden, the handover
    timeout) compare like with like.
    """
    try:
        return clock.from_rasa_timestamp(float(event["timestamp"]))
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return clock.now_utc()


def _timestamp_text(event: Mapping[str, Any]) -> str:
    try:
        return f"{float(event['timestamp']):.6f}"
    except (KeyError, TypeError, ValueError, OverflowError):
        return "none"


def event_key(event: Mapping[str, Any]) -> str:
    """Stable identity of an event: sender, type, timestamp and a hash of the text.

    A resident's message with a delivery id (kontaktcenter.delivery) is identified by the
    id instead: sent again after a server died, it gets a new timestamp but stays one
    record."""
    delivery = delivery_of(event.get("metadata")) if event.get("event") == "user" else None
    if delivery is not None:
        raw = "\x1f".join([str(event.get("sender_id") or ""), "user", "delivery", delivery])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
    text_hash = hashlib.sha256(str(event.get("text") or "").encode("utf-8")).hexdigest()
    raw = "\x1f".join(
        [
            str(event.get("sender_id") or ""),
            str(event.get("event")),
            _timestamp_text(event),
            text_hash,
        ]
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _intent_name(event: Mapping[str, Any]) -> str | None:
    parse_data = event.get("parse_data")
    if isinstance(parse_data, Mapping):
        intent = parse_data.get("intent")
        if isinstance(intent, Mapping) and intent.get("name"):
            return one_line(str(intent["name"]), 100)
    return None


def _metadata(event: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def agent_label(name: str, username: str | None) -> str:
    """How the register names a kommunvägledare: full name and username."""
    name, user = one_line(name, 150), one_line(username, 100)
    if user and name and user != name:
        return f"{name} ({user})"
    return name or user


def translate(event: Mapping[str, Any], sender_id: str | None = None) -> RegisterEvent | None:
    """The register event for one Rasa event dict; None for events the register ignores.

    ``sender_id`` stands in for a tracker's events, which carry no sender of their own.
    """
    if not isinstance(event, Mapping):
        return None
    conversation = one_line(str(event.get("sender_id") or sender_id or ""), 255)
    kind = event.get("event")
    if not conversation or kind not in ("session_started", "user", "bot"):
        return None
    at = event_time(event)
    channel = one_line(str(event.get("input_channel") or ""), 50) or None
    if kind == "session_started":
        return SessionStarted(conversation, at, channel)
    metadata = _metadata(event)
    names = (metadata.get(AGENT_FULL_NAME_METADATA_KEY), metadata.get(AGENT_METADATA_KEY))
    agent = one_line(str(next((n for n in names if n), "")), 150)
    author = RESIDENT if kind == "user" else AGENT if agent else BOT
    keyed = event if event.get("sender_id") else {**event, "sender_id": conversation}
    confidence, predicted = _nlu_scores(event) if kind == "user" else (None, None)
    return ChatMessage(
        conversation_id=conversation,
        at=at,
        author=author,
        text=clean(event.get("text") if isinstance(event.get("text"), str) else "",
                   MAX_MESSAGE_CHARS).strip(),
        key=event_key(keyed),
        intent=_intent_name(event) if kind == "user" else None,
        intent_confidence=confidence,
        predicted_intent=predicted,
        channel=channel,
        agent=agent_label(agent, metadata.get(AGENT_USERNAME_METADATA_KEY))
        if author == AGENT
        else None,
        resident_name=one_line(str(metadata.get(RESIDENT_NAME_METADATA_KEY) or ""), 200)
        or None,
    )


def messages_of(events: Iterable[Mapping[str, Any]], conversation_id: str) -> list[ChatMessage]:
    """The chat messages (with text) of a tracker's events, in order."""
    found = []
    for raw in events:
        event = translate(raw, conversation_id)
        if isinstance(event, ChatMessage) and event.text:
            found.append(event)
    return found


def current_session(events: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The events of a tracker's latest session (from its ``session_started`` on)."""
    current: list[Mapping[str, Any]] = []
    for raw in events:
        if not isinstance(raw, Mapping):
            continue
        if raw.get("event") == "session_started":
            current = []
        current.append(raw)
    return current


def left_conversation(events: Iterable[Mapping[str, Any]]) -> bool:
    """True when the tracker's last session ended with the resident leaving (restart)."""
    last = None
    for raw in events:
        if isinstance(raw, Mapping) and raw.get("event") in ("restart", "session_started"):
            last = raw.get("event")
    return last == "restart"
