"""Opening-hours actions: live answers from the Swedish calendar and staff exceptions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import hours_answers


def _latest_entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


class ActionOpeningHours(Action):
    """"När har ni öppet?", "öppet på julafton?", "när stänger ni idag?"."""

    def name(self) -> str:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = hours_answers.opening_hours(
            services.calendar(),
            (tracker.latest_message or {}).get("text"),
            services.now(),
            date_entity=_latest_entity(tracker, "date"),
            time_entity=_latest_entity(tracker, "time"),
        )
        dispatcher.utter_message(text=text)
        return []


class ActionOpenNow(Action):
    """"Är ni öppna nu?"."""

    def name(self) -> str:
        return "action_open_now"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=hours_answers.open_now(services.calendar(), services.now()))
        return []


class ActionDeviatingHours(Action):
    """"Har ni andra tider kring helgdagar?"."""

    def name(self) -> str:
        return "action_deviating_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = hours_answers.deviating_hours(services.calendar(), services.now())
        dispatcher.utter_message(text=text)
        return []
