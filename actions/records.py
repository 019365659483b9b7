"""The resident's own ärende: "vad är mitt ärendenummer?"."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import answers

logger = logging.getLogger(__name__)


def session_started_at(tracker: Tracker) -> float | None:
    """Timestamp of the current session's start: the ärende is one session."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return event.get("timestamp")
    return None


class ActionCaseNumber(Action):
    """Answers with the diarienummer of this conversation's ärende (only the caller's own)."""

    def name(self) -> str:
        return "action_case_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel = (tracker.get_latest_input_channel() or None)
        try:
            case = services.register().current_case(
                tracker.sender_id, session_started_at(tracker), channel
            )
        except Exception:  # the register must never break the chat
            logger.exception("Could not look up the case number")
            case = None
        dispatcher.utter_message(text=answers.case_number(case.diarienummer if case else None,
                                                          services.facts()))
        return []
