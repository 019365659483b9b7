"""Random conversations for the invariants fuzzer: seeded, reproducible walks of 1–10 turns.

A turn is drawn from every intent's examples in tests/nlu/*.yml, the bot's own buttons
(taken from its previous reply), yes/no/ok words, keyword-less follow-ups, emoji and
nonsense. Each conversation has its own ``random.Random(f"{seed}-{index}")``, so one
failing conversation is replayed alone with the same seed and index.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.dialogues.expectations import check_invariants, normalise_user, reply_text
from tests.dialogues.harness import Channel
from tests.dialogues.nlu_examples import TEST_FILES, intent_examples

ACKS: dict[str, tuple[str, ...]] = {
    "affirm": ("ja", "japp", "ja tack", "jo", "absolut", "jajamen", "yes"),
    "deny": ("nej", "nä", "nej tack", "nope", "nää det behövs inte"),
    "ack": ("ok", "okej", "okej tack", "👍", "tack", "toppen", "bra", "okej men måndag då"),
}
FOLLOW_UPS = (
    "och på fredag då?",
    "än i morgon?",
    "samma tid på torsdag?",
    "till när?",
    "trettondagen då",
    "var ligger det?",
    "när öppnar det?",
    "och dagen innan?",
    "om en timme då?",
    "i helgen?",
    "och lördag?",
    "kl 17.30 då",
    "i påsk?",
    "mellandagarna då",
    "varför då?",
)
EMOJI = ("😀", "👍", "🙏", "😡", "🎉🎉", "❤️", "🤔", "😂😂😂", "👋")
ODD_INPUTS = ("", "   ", "?", "...", "/", "?!?!", "<b>hej</b>", "1234", "a" * 600)
# Kind of turn -> weight of drawing it.
WEIGHTS: dict[str, int] = {
    "intent": 45,
    "button": 12,
    "ack": 15,
    "follow_up": 12,
    "emoji": 6,
    "nonsense": 7,
    "odd": 3,
}
MAX_TURNS = 10


@dataclass(frozen=True)
class FuzzTurn:
    text: str
    source: str  # "intent:ask_phone", "ack:affirm", "follow_up", "emoji", "nonsense", "odd"

    def same_question_as(self, other: FuzzTurn | None) -> bool:
        """The user asked the same again: same text, two examples of one intent, or a
        keyword-less follow-up ("var ligger det?" right after "var ligger HiD?")."""
        if other is None:
            return False
        if self.source == "follow_up" or normalise_user(self.text) == normalise_user(other.text):
            return True
        repeatable = self.source.startswith(("intent:", "ack:"))
        return repeatable and self.source == other.source


@dataclass
class Conversation:
    index: int
    turns: list[tuple[FuzzTurn, str]] = field(default_factory=list)  # (turn, reply)
    violations: list[str] = field(default_factory=list)

    def transcript(self) -> str:
        lines = []
        for number, (turn, reply) in enumerate(self.turns, 1):
            lines.append(f"  {number}. user ({turn.source}): {turn.text[:120]!r}")
            lines.append(f"     bot: {reply[:300]!r}")
        return "\n".join(lines)


def _nonsense(rng: random.Random) -> str:
    words = [
        "".join(rng.choice(string.ascii_lowercase + "åäö") for _ in range(rng.randint(2, 9)))
        for _ in range(rng.randint(1, 4))
    ]
    return " ".join(words)


def _button_source(payload: str) -> str:
    """ "/affirm" -> "intent:affirm" (a click is that intent); other payloads are text."""
    if payload.startswith("/"):
        return "intent:" + payload[1:].split("{", 1)[0]
    return "button"


class Walker:
    """Draws the turns of conversation ``index`` under ``seed``."""

    def __init__(self, seed: int, examples: Mapping[str, Sequence[str]] | None = None) -> None:
        self.seed = seed
        self.examples = {k: list(v) for k, v in (examples or intent_examples(TEST_FILES)).items()}
        self.intents = sorted(self.examples)

    def rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}-{index}")

    def length(self, rng: random.Random) -> int:
        return rng.randint(1, MAX_TURNS)

    def next_turn(self, rng: random.Random, buttons: Sequence[Mapping[str, Any]]) -> FuzzTurn:
        kinds = [k for k in WEIGHTS if k != "button" or buttons]
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        if kind == "intent":
            intent = rng.choice(self.intents)
            return FuzzTurn(rng.choice(self.examples[intent]), f"intent:{intent}")
        if kind == "button":
            button = rng.choice(list(buttons))
            payload = str(button.get("payload") or button.get("title") or "")
            if rng.random() < 0.3:  # residents also type the button's words
                return FuzzTurn(str(button.get("title", payload)), "button")
            return FuzzTurn(payload, _button_source(payload))
        if kind == "ack":
            group = rng.choice(sorted(ACKS))
            return FuzzTurn(rng.choice(ACKS[group]), f"ack:{group}")
        if kind == "follow_up":
            return FuzzTurn(rng.choice(FOLLOW_UPS), "follow_up")
        if kind == "emoji":
            return FuzzTurn(rng.choice(EMOJI), "emoji")
        if kind == "odd":
            return FuzzTurn(rng.choice(ODD_INPUTS), "odd")
        return FuzzTurn(_nonsense(rng), "nonsense")


def run_conversation(walker: Walker, channel: Channel, index: int) -> Conversation:
    """Walk one conversation against the bot, checking the invariants after every turn."""
    rng = walker.rng(index)
    conversation = Conversation(index)
    sender = f"fuzz-{walker.seed}-{index}-{rng.getrandbits(32):08x}"
    buttons: list[Mapping[str, Any]] = []
    previous: FuzzTurn | None = None
    previous_reply: str | None = None
    for _ in range(walker.length(rng)):
        turn = walker.next_turn(rng, buttons)
        try:
            messages = channel.say(sender, turn.text)
        except (OSError, ValueError) as exc:  # any transport failure is a finding
            conversation.turns.append((turn, ""))
            conversation.violations.append(f"turn {len(conversation.turns)}: request failed: {exc}")
            break
        reply = reply_text(messages)
        conversation.turns.append((turn, reply))
        for _, reason in check_invariants(messages, previous_reply, turn.same_question_as(previous)):
            conversation.violations.append(f"turn {len(conversation.turns)}: {reason}")
        buttons = [b for m in messages for b in (m.get("buttons") or ())]
        previous, previous_reply = turn, reply
    return conversation
