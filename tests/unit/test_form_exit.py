"""The message form lets a resident go instead of asking for a contact forever."""

from __future__ import annotations

import pytest

from kontaktcenter.dialogue.form_exit import give_up, is_other_question


@pytest.mark.parametrize(
    ("intent", "confidence", "text", "expected"),
    [
        ("ask_opening_hours", 0.9, "när har ni öppet på fredag?", True),
        ("ask_phone", 0.95, "vad är ert nummer?", True),
        ("ask_opening_hours", 0.9, "ring 0701234567 efter fem", False),  # a contact attempt
        ("ask_contact", 0.8, "anna@example.se", False),
        ("ask_opening_hours", 0.4, "mm kanske", False),  # unsure: ask once more
        ("affirm", 0.99, "ja", False),
        (None, 0.0, "", False),
        ("out_of_scope", 0.9, "123", False),  # a mistyped number, asked about again
        ("ask_phone", 0.9, "123", False),
    ],
)
def test_a_clear_other_question_ends_the_form(intent, confidence, text, expected) -> None:
    assert is_other_question(intent, confidence, text) is expected


def test_the_second_unusable_answer_ends_the_form_but_attempts_are_asked_again() -> None:
    assert not give_up("affirm", 0.9, "👍", failures_before=0)
    assert give_up("affirm", 0.9, "👍", failures_before=1)
    assert not give_up("out_of_scope", 0.7, "123", failures_before=1)  # a mistyped number
    assert not give_up("ask_contact", 0.7, "anna@exempel", failures_before=2)
    assert give_up("ask_contact", 0.7, "anna@exempel", failures_before=3)  # never a 5th time
