"""Non-Swedish parts of answers are named, so the widget can mark their language."""

from __future__ import annotations

from pathlib import Path

from kontaktcenter import answers
from kontaktcenter.facts import get_facts

FACTS = get_facts(Path(__file__).resolve().parents[2] / "config")


def test_the_english_sentence_of_the_language_answer_is_named() -> None:
    parts = answers.language_parts("other_language", FACTS)
    text = answers.answer_for_intent("other_language", FACTS)
    assert parts == [{"text": f"Sorry, I only understand Swedish. Please call {FACTS.phone}.",
                      "lang": "en"}]
    assert parts[0]["text"] in text


def test_swedish_answers_have_no_other_language_parts() -> None:
    for intent in [*answers.BY_INTENT, None, "okänd"]:
        if intent != "other_language":
            assert answers.language_parts(intent, FACTS) == []
