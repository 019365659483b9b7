"""NLU component: classify the question inside a long message, not the story around it.

Residents often write a greeting and a story before the question. Placed first in the
pipeline, this keeps only the last question sentences (kontaktcenter.dialogue.signals
.question_focus) as the text NLU reads. The whole message is kept as ``full_text`` in the
parse data, and the tracker and the register always store the message as sent.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kontaktcenter.dialogue.signals import question_focus

FULL_TEXT = "full_text"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class QuestionFocus(GraphComponent):
    """Narrows long messages to their question before tokenisation."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionFocus:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are single questions already: left as written."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            focus = question_focus(text)
            if focus != text:
                message.set(FULL_TEXT, text, add_to_output=True)
                message.set(TEXT, focus)
        return messages
