"""Session start: tell the resident, before anything else, that the chat is a public record."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import answers


class ActionSessionStart(Action):
    """Starts a session (a new ärende) with the notice the source text promises residents."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=answers.record_notice(services.facts()))
        return [SessionStarted(), ActionExecuted("action_listen")]
