"""The multi-turn dialogue set against the running product, at an open and a closed clock.

Every dialogue runs at both clocks unless it pins one; each turn's expectations are
computed at the product's clock (KC_NOW plus elapsed time). Fails below 95 % of turns
and prints every miss (dialogue, turn, user text, reply, failed expectation).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dialogues.conftest import StackPool
from tests.dialogues.expectations import Truth
from tests.dialogues.harness import (
    CLOCK_LABELS,
    PASS_RATE,
    Report,
    RestChannel,
    load_dialogues,
    run_set,
)

pytestmark = pytest.mark.e2e


def test_dialogue_set_scores_at_least_95_percent(stack_pool: StackPool) -> None:
    dialogues = load_dialogues()
    truth = Truth.from_config()
    report = Report()
    for label in CLOCK_LABELS:
        clocked = stack_pool.get(label)
        channel = RestChannel(clocked.stack.url)
        report.extend(run_set(dialogues, channel, clocked.now, truth, label))
    text = report.format()
    print(text)
    target = os.environ.get("KC_DIALOGUE_REPORT")
    if target:
        Path(target).write_text(text + "\n", encoding="utf-8")
    assert report.score >= PASS_RATE, text
