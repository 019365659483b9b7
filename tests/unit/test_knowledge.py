"""The HiD answers in config/knowledge.yml say nothing the city's page does not say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kontaktcenter.knowledge import get_knowledge

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "docs" / "source" / "helsingborg-far-ett-innovationsdistrikt.txt").read_text(
    encoding="utf-8"
)
KNOWLEDGE = get_knowledge(ROOT / "config")
HID_INTENTS = {
    "hid_what", "hid_where", "hid_when", "hid_purpose", "hid_coordinator", "hid_who_behind",
    "hid_innovative_city", "hid_h22",
}


def test_every_hid_intent_has_an_answer() -> None:
    assert set(KNOWLEDGE) == HID_INTENTS


@pytest.mark.parametrize("intent", sorted(HID_INTENTS))
def test_years_and_names_come_from_the_source(intent: str) -> None:
    answer = KNOWLEDGE[intent]
    for year in re.findall(r"\b\d{4}\b", answer):
        assert year in SOURCE, (intent, year)
    # Capitalised words inside a sentence are names, places and titles: all in the source.
    for sentence in re.split(r"(?<=[.!?])\s+", answer):
        for word in re.findall(r"(?<=\s)[A-ZÅÄÖ][\wåäöÅÄÖ-]*", sentence):
            assert word in SOURCE, (intent, word)


def test_plans_are_told_as_plans() -> None:
    # The page is a news item: "etableras under första halvåret 2023" was a plan.
    assert "Enligt stadens plan" in KNOWLEDGE["hid_when"]
    assert "första halvåret 2023" in KNOWLEDGE["hid_when"]
