"""Handover to a kommunvägledare: queue and pause while staffed, else leave a message.

Thin glue: the queue lives in ``kontaktcenter.handover``, the wording in its ``texts``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.records import session_started_at
from kontaktcenter import clock
from kontaktcenter.db import get_database
from kontaktcenter.desk.presence import Routing
from kontaktcenter.dialogue import form_exit
from kontaktcenter.handover import (
    HandoverService,
    NoAgentAvailable,
    clean_question,
    parse_contact,
    texts,
)

logger = logging.getLogger(__name__)

CALLBACK_FAILURES = "callback_failures"  # unusable answers in a row in the message form
CHAT_CHANNEL = "chat"  # the calendar's channel whose hours say when the chat is staffed
# Intents that say nothing about the matter; nlu_fallback is not one of them: what the
# bot did not understand is exactly what the kommunvägledare needs to read.
NOT_A_CONCERN = {"request_human", "affirm", "deny", "greet", "thank"}


@lru_cache(maxsize=1)
def handover_service() -> HandoverService:
    """Created on first use, never at import (settings' database); it queues a resident
    only when an agent can take the chat (presence and per-agent limit)."""
    db = get_database()
    return HandoverService(db, routing=Routing(db))


def _case_number(tracker: Tracker) -> str | None:
    try:
        case = services.register().current_case(
            tracker.sender_id, session_started_at(tracker), tracker.get_latest_input_channel()
        )
        return case.diarienummer if case else None
    except Exception:  # the register must never break the chat
        logger.exception("Could not look up the case for a handover")
        return None


def _concern(tracker: Tracker) -> str:
    """The resident's latest message that says what it is about (for the queue list)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = " ".join(str(event.get("text") or "").split())
        if intent not in NOT_A_CONCERN and text and not text.startswith("/"):
            masked = services.register().masker.mask(text).text
            return masked[:300]
    return ""


def _pause_event(tracker: Tracker) -> dict[str, Any]:
    """Pause, stamped after the session start (NOTES.md pitfall 2: the SQL tracker store
    reloads only events at or after the latest session_started, so a pause stamped
    earlier in a brand-new conversation would be lost)."""
    started = session_started_at(tracker) or 0.0
    return ConversationPaused(timestamp=max(clock.rasa_timestamp(), float(started) + 0.001))


class ActionRequestHuman(Action):
    """The resident wants a person (or accepted the offer after two misunderstandings)."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        status = services.calendar().status(services.now(), channel=CHAT_CHANNEL)
        offer_answered = SlotSet("kc_offer", None)
        if not status.is_open:
            dispatcher.utter_message(text=texts.closed(status), buttons=texts.OFFER_BUTTONS)
            return [offer_answered]
        try:
            ticket = handover_service().request(
                tracker.sender_id,
                diarienummer=_case_number(tracker),
                channel=tracker.get_latest_input_channel(),
                concern=_concern(tracker),
            )
        except NoAgentAvailable:
            dispatcher.utter_message(text=texts.NOBODY_AVAILABLE, buttons=texts.OFFER_BUTTONS)
            return [offer_answered]
        if ticket.new:
            dispatcher.utter_message(text=texts.queued(ticket.place))
        else:
            dispatcher.utter_message(text=texts.already_waiting(ticket.place))
        return [offer_answered, _pause_event(tracker)]


class ActionAskCallbackQuestion(Action):
    def name(self) -> str:
        return "action_ask_callback_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texts.ASK_QUESTION)
        return []


class ActionAskCallbackContact(Action):
    def name(self) -> str:
        return "action_ask_callback_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texts.ASK_CONTACT)
        return []


class ValidateLeaveMessageForm(FormValidationAction):
    """Checks the question and the contact; a bad contact gets a clear Swedish re-ask."""

    def name(self) -> str:
        return "validate_leave_message_form"

    async def validate_callback_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"callback_question": clean_question(value), CALLBACK_FAILURES: 0.0}
        except ValueError as exc:
            return _retry_or_give_up("callback_question", str(exc), dispatcher, tracker)

    async def validate_callback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"callback_contact": parse_contact(value).value, CALLBACK_FAILURES: 0.0}
        except ValueError as exc:
            return _retry_or_give_up("callback_contact", str(exc), dispatcher, tracker)


def _retry_or_give_up(
    slot: str, problem: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Ask again once; a second miss, or a question about something else, ends the form.

    Ending it clears ``requested_slot``, so the form completes and action_leave_message
    sees that nothing was left (and answers the question the resident asked instead).
    """
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    failures = tracker.get_slot(CALLBACK_FAILURES) or 0.0
    confidence = intent.get("confidence")
    if form_exit.give_up(
        intent.get("name"),
        float(confidence) if isinstance(confidence, (int, float)) else 0.0,
        str(latest.get("text") or ""),
        int(failures),
    ):
        return {slot: None, "requested_slot": None, CALLBACK_FAILURES: 0.0}
    dispatcher.utter_message(text=problem)
    return {slot: None, CALLBACK_FAILURES: float(failures) + 1}


class ActionLeaveMessage(Action):
    """Saves the message on the callback list; the ärende awaits återkoppling (same unit)."""

    def name(self) -> str:
        return "action_leave_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question, raw_contact = (
            tracker.get_slot("callback_question"), tracker.get_slot("callback_contact")
        )
        if not question or not raw_contact:  # the form let the resident go
            latest = tracker.latest_message or {}
            intent = (latest.get("intent") or {}).get("name")
            cleared = [SlotSet("callback_question", None), SlotSet("callback_contact", None)]
            if intent in form_exit.QUESTION_INTENTS:
                dispatcher.utter_message(text="Då lämnar vi meddelandet. Till din fråga:")
                return [*cleared, FollowupAction("action_answer")]
            dispatcher.utter_message(text=form_exit.CANCELLED)
            return cleared
        number = _case_number(tracker)
        contact = parse_contact(raw_contact)
        handover_service().leave_callback(
            tracker.sender_id, tracker.get_slot("callback_question"), contact, number
        )
        dispatcher.utter_message(text=texts.callback_saved(contact.kind, number))
        return [SlotSet("callback_question", None), SlotSet("callback_contact", None)]
