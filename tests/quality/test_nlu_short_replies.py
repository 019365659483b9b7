"""Short everyday replies are understood, not sent to the fallback or read as goodbye.

Why (issue 10): "okej", "👍" or "nej tack" answer the bot's question, and a follow-up
such as "och på fredag då?" ends in "då" like "hej då" but is a question, not a goodbye.
These are behaviour checks on the trained model (some phrases are also training
examples); generalisation is measured separately on tests/nlu and by cross-validation.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# KC_NLU_MODEL lets a candidate model be checked before it replaces models/.
MODEL = Path(os.environ.get("KC_NLU_MODEL", ROOT / "models" / "kontaktcenter.tar.gz"))

# "ack" is accepted too, should the dialogue data gain an acknowledgement intent.
AGREEING = {"affirm", "thank", "ack"}
DECLINING = {"deny"}
FOLLOW_UPS = [
    "och på fredag då?",
    "men på lördag då",
    "och imorgon då?",
    "när öppnar ni på måndag då",
    "och telefonnumret då?",
    "vad är HiD då?",
    "men var ligger ni då",
    "kan jag prata med en människa då?",
]
SHORT_REPLIES = {
    "okej": AGREEING,
    "ok": AGREEING,
    "👍": AGREEING,
    "bra": AGREEING,
    "toppen": AGREEING,
    "ja tack": {"affirm"},
    "ja": {"affirm"},
    "okej då": AGREEING,
    "tack": {"thank"},
    "nej tack": DECLINING,
    "nej": DECLINING,
    "nej då": DECLINING,
}


@pytest.fixture(scope="module")
def parse():
    if not MODEL.exists():
        pytest.fail(f"Ingen tränad modell i {MODEL}: kör 'make test'.")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    def intent_of(text: str) -> str:
        return asyncio.run(agent.parse_message(text))["intent"]["name"]

    return intent_of


@pytest.mark.parametrize("text", FOLLOW_UPS)
def test_follow_up_ending_in_da_is_not_a_goodbye(parse, text: str) -> None:
    assert parse(text) not in {"goodbye", "nlu_fallback"}


@pytest.mark.parametrize(("text", "allowed"), sorted(SHORT_REPLIES.items()))
def test_short_reply_is_understood(parse, text: str, allowed: set[str]) -> None:
    assert parse(text) in allowed


def test_goodbye_is_still_a_goodbye(parse) -> None:
    assert parse("hej då") == "goodbye"
    assert parse("tack och hej då") == "goodbye"
