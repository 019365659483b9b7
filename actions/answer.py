"""The one action behind every question and small-talk intent: context-aware replies.

Thin glue: reads the latest message and the context slots, asks the plain-Python router
(kontaktcenter.dialogue) what to say, and turns its reply into messages and events.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter.dates.messages import year_supported
from kontaktcenter.dates.periods import Period
from kontaktcenter.dialogue import Context, Reply, Turn, respond
from kontaktcenter.dialogue.dated import ClauseDates

# Slots holding the conversation's context between turns (domain.yml, not featurised).
SLOT_TOPIC, SLOT_DAY, SLOT_TIME = "kc_topic", "kc_day", "kc_time"
SLOT_OFFER, SLOT_MISSES, SLOT_LAST_REPLY = "kc_offer", "kc_misses", "kc_last_reply"


def _clause_of(entity: dict[str, Any]) -> str | None:
    """The clause an entity belongs to (several questions in one message), else None."""
    info = entity.get("additional_info")
    clause = info.get("clause") if isinstance(info, dict) else None
    return clause if isinstance(clause, str) else None


def _entity(message: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The whole message's entity of this kind (not one of a single clause)."""
    for entity in message.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == kind and not _clause_of(entity):
            return entity
    return None


def _period(entity: dict[str, Any] | None) -> Period | None:
    if entity is None:
        return None
    name = (entity.get("additional_info") or {}).get("name", "")
    return Period.from_iso(str(entity.get("value")), str(name))


def _clause_dates(message: dict[str, Any]) -> dict[str, ClauseDates]:
    """Each clause's dates as the extractor found them (see dialogue.dated)."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for entity in message.get("entities") or []:
        clause = _clause_of(entity) if isinstance(entity, dict) else None
        if clause is not None:
            grouped.setdefault(clause, {})[str(entity.get("entity"))] = entity
    return {
        clause: ClauseDates(
            _iso_date((kinds.get("date") or {}).get("value")),
            _iso_time((kinds.get("time") or {}).get("value")),
            _period(kinds.get("period")),
        )
        for clause, kinds in grouped.items()
    }


def _iso_date(value: Any) -> date | None:
    """An ISO date within the years the calendar answers for, else None."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return day if day is not None and year_supported(day.year) else None


def _iso_time(value: Any) -> time | None:
    try:
        return time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def turn_from_tracker(tracker: Tracker) -> Turn:
    """The latest user message as the router sees it; entities come from the extractor."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    date_entity = _entity(message, "date") or {}
    time_entity = _entity(message, "time") or {}
    period_entity = _entity(message, "period")
    error_entity = _entity(message, "date_error")
    period = _period(period_entity)
    date_error = None
    if error_entity is not None:
        date_error = (error_entity.get("additional_info") or {}).get("message")
    confidence = intent.get("confidence")
    return Turn(
        text=str(message.get("full_text") or message.get("text") or ""),
        intent=intent.get("name"),
        now=services.now(),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else 0.0,
        date=_iso_date(date_entity.get("value")),
        time=_iso_time(time_entity.get("value")),
        period=period,
        date_error=date_error if isinstance(date_error, str) else None,
        clause_dates=_clause_dates(message),
    )


def context_from_tracker(tracker: Tracker) -> Context:
    misses = tracker.get_slot(SLOT_MISSES)
    return Context(
        topic=tracker.get_slot(SLOT_TOPIC),
        day=_iso_date(tracker.get_slot(SLOT_DAY)),
        time=_iso_time(tracker.get_slot(SLOT_TIME)),
        offer=tracker.get_slot(SLOT_OFFER),
        misses=int(misses) if isinstance(misses, (int, float)) else 0,
        last_reply=tracker.get_slot(SLOT_LAST_REPLY),
    )


def events_for(reply: Reply) -> list[dict[str, Any]]:
    ctx = reply.context
    events = [
        SlotSet(SLOT_TOPIC, ctx.topic),
        SlotSet(SLOT_DAY, ctx.day.isoformat() if ctx.day else None),
        SlotSet(SLOT_TIME, ctx.time.strftime("%H:%M") if ctx.time else None),
        SlotSet(SLOT_OFFER, ctx.offer),
        SlotSet(SLOT_MISSES, float(ctx.misses)),
        SlotSet(SLOT_LAST_REPLY, (ctx.last_reply or "")[:2000] or None),
    ]
    if reply.next_action:
        events.append(FollowupAction(reply.next_action))
    return events


class ActionAnswer(Action):
    """Answers questions, follow-ups, yes/no and small talk from the router's reply."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reply = respond(turn_from_tracker(tracker), context_from_tracker(tracker),
                        services.dialogue_deps())
        for message in reply.messages:
            buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
            # kc_lang: the widget marks non-Swedish parts with their language (WCAG 3.1.2).
            extra = {"kc_lang": [{"text": t, "lang": lang} for t, lang in message.languages]}
            dispatcher.utter_message(
                text=message.text, buttons=buttons or None, **(extra if message.languages else {})
            )
        return events_for(reply)
