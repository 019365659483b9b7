"""NLU component: route uninterpretable messages to the fallback, whatever DIET guessed.

Placed after the FallbackClassifier. Empty messages, emoji only or very long texts get
intent ``nlu_fallback`` so that ``action_default_fallback`` answers them politely
(see kontaktcenter.input_check); the text itself is kept unchanged in the tracker.
Gesture emoji alone are answers, not noise: 👍 is affirm, 🙏 thank, 👎 deny
(see kontaktcenter.gestures).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from kontaktcenter.gestures import gesture_intent
from kontaktcenter.input_check import input_problem

FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class InputGuard(GraphComponent):
    """Overrides the intent of messages that cannot be interpreted."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = gesture_intent(text)
            if intent is None and input_problem(text) is not None:
                intent = FALLBACK_INTENT
            if intent is not None:
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0},
                    add_to_output=True,
                )
        return messages
