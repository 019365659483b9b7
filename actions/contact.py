"""Answers built from the contact facts: phone, address, chat, privacy, and so on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import answers


class ActionContactAnswer(Action):
    """One action for every intent whose answer is a formatted contact fact."""

    def name(self) -> str:
        return "action_contact_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.get_intent_of_latest_message()
        facts = services.facts()
        parts = answers.language_parts(intent, facts)
        extra = {"kc_lang": parts} if parts else {}
        dispatcher.utter_message(text=answers.answer_for_intent(intent, facts), **extra)
        return []
