"""Gesture emoji alone are answers (👍 = yes), not input the bot cannot read."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from kontaktcenter.gestures import gesture_intent
from kontaktcenter.input_check import InputProblem, input_problem
from rasa_addons.input_guard import InputGuard


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("👍", "affirm"),
        ("👍👍", "affirm"),
        (" 👍🏽 ", "affirm"),  # skin tone
        ("👌", "affirm"),
        ("✔️", "affirm"),  # with variation selector
        ("🙏", "thank"),
        ("🙏🏻🙏🏻", "thank"),
        ("👎", "deny"),
        ("❌", "deny"),
        ("🙅‍♀️", "deny"),  # zero-width joiner and gender sign
    ],
)
def test_gestures_have_a_meaning(text: str, intent: str) -> None:
    assert gesture_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    ["", None, "   ", "🙂", "🤷🤷", "👍👎", "👍 ok", "ok", "???", "👍?", "😀😀😀🎉"],
)
def test_other_messages_are_not_gestures(text: str | None) -> None:
    assert gesture_intent(text) is None


def guard(text: str, guessed: str = "greet") -> str:
    message = Message(data={TEXT: text, INTENT: {INTENT_NAME_KEY: guessed}})
    InputGuard().process([message])
    return message.get(INTENT)[INTENT_NAME_KEY]


def test_guard_turns_a_thumbs_up_into_affirm_whatever_the_classifier_guessed() -> None:
    assert input_problem("👍") is InputProblem.NO_WORDS
    assert guard("👍", guessed="nlu_fallback") == "affirm"
    assert guard("🙏", guessed="goodbye") == "thank"
    assert guard("👎", guessed="affirm") == "deny"


def test_guard_still_sends_unreadable_input_to_the_fallback() -> None:
    assert guard("🤷🤷") == "nlu_fallback"
    assert guard("👍👎") == "nlu_fallback"
    assert guard("") == "nlu_fallback"


def test_guard_leaves_words_to_the_classifier() -> None:
    assert guard("ok 👍", guessed="affirm") == "affirm"
    assert guard("hej", guessed="greet") == "greet"
