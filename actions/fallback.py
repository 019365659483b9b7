"""Rasa's core fallback: no rule or story predicts an action for this turn.

Every understood or misunderstood message is answered by ``action_answer`` (the
nlu_fallback intent included), so this runs only when the dialogue policies are lost.
Like Rasa's own default it reverts the user message (UserUtteranceReverted): without
that, the policies stay lost, the fallback repeats and the circuit breaker silences the
conversation (docs/rasa-notes.md). The message itself stays in the register.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import services

LOST_THREAD = (
    "Förlåt, där tappade jag tråden. Kan du ställa frågan igen, gärna med andra ord? "
    "Du kan också ringa oss på {phone}."
)


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=LOST_THREAD.format(phone=services.facts().phone))
        return [UserUtteranceReverted()]
