"""The dialogue set itself: big enough, every kind covered, every expectation computable
at both clocks, and written apart from the training and NLU test data (no server needed)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kontaktcenter.clock import parse_start
from tests.dialogues.conftest import DEFAULT_CLOCKS
from tests.dialogues.expectations import Truth, Turn, check_turn, normalise_user
from tests.dialogues.harness import KINDS, load_dialogues
from tests.dialogues.nlu_examples import TEST_FILES, TRAINING_FILES, intent_examples

DIALOGUES = load_dialogues()


def test_the_set_is_large_enough() -> None:
    assert len(DIALOGUES) >= 110
    assert sum(len(d.turns) for d in DIALOGUES) >= 200
    assert all(1 <= len(d.turns) <= 6 for d in DIALOGUES)


def test_every_kind_is_covered() -> None:
    covered = {d.kind for d in DIALOGUES}
    assert covered == set(KINDS)


def test_most_turns_have_an_expectation_beyond_the_invariants() -> None:
    bare = [t for d in DIALOGUES for t in d.turns if set(t) <= {"user", "note", "repeat_ok"}]
    assert len(bare) <= 0.1 * sum(len(d.turns) for d in DIALOGUES)


def test_no_user_text_is_copied_from_nlu_data() -> None:
    known = {
        normalise_user(example)
        for examples in intent_examples(TRAINING_FILES + TEST_FILES).values()
        for example in examples
    }
    copied = [t["user"] for d in DIALOGUES for t in d.turns if normalise_user(t["user"]) in known]
    # Bare "ja"/"nej"/"hej" and button payloads are unavoidable; sentences must be new.
    copied = [text for text in copied if len(text.split()) > 2]
    assert not copied, copied


@pytest.mark.parametrize("clock", sorted(DEFAULT_CLOCKS.values()))
def test_every_expectation_is_computable_at_the_clock(clock: str) -> None:
    """Resolving dates, periods and facts never raises (an empty reply just misses)."""
    at: datetime = parse_start(clock)
    truth = Truth.from_config()
    for dialogue in DIALOGUES:
        for turn in dialogue.turns:
            check_turn(turn, Turn("", at, truth))
