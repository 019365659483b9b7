"""The fallback: admit not understanding; every second time in a row, offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import answers
from kontaktcenter.input_check import InputProblem, input_problem

OFFER_AFTER = 2  # consecutive misunderstandings before a kommunvägledare is offered
HUMAN_OFFERED = "human_offered"


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many user messages in a row, this one included, the bot failed to understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != "nlu_fallback":
            break
        count += 1
    return max(count, 1)


class ActionDefaultFallback(Action):
    """Replaces Rasa's default fallback; never guesses an answer."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        facts = services.facts()
        text = (tracker.latest_message or {}).get("text")
        problem = input_problem(text)
        if problem is InputProblem.TOO_LONG:
            dispatcher.utter_message(text=answers.too_long(facts))
            return [SlotSet(HUMAN_OFFERED, False)]
        if problem is not None and consecutive_fallbacks(tracker) % OFFER_AFTER:
            dispatcher.utter_message(text=answers.unusable_input(facts))
            return [SlotSet(HUMAN_OFFERED, False)]
        if consecutive_fallbacks(tracker) % OFFER_AFTER == 0:
            # Second miss in a row: offer a person (buttons Ja/Nej); the rules in
            # data/rules/fallback.yml act on the answer while human_offered is set.
            dispatcher.utter_message(
                text=answers.offer_human(facts), buttons=answers.OFFER_HUMAN_BUTTONS
            )
            return [SlotSet(HUMAN_OFFERED, True)]
        dispatcher.utter_message(text=answers.fallback(facts))
        return [SlotSet(HUMAN_OFFERED, False)]


class ActionDeclineHuman(Action):
    """The resident said no to a kommunvägledare: carry on with the bot."""

    def name(self) -> str:
        return "action_decline_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=answers.human_declined(services.facts()))
        return [SlotSet(HUMAN_OFFERED, False)]
