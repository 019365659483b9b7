"""Conversation fuzzer: random walks against the running product keep the invariants.

Every user message gets at least one reply, at most one "förstod jag inte" per turn, the
same reply never twice in a row unless the resident asked the same again, and never an
error text. ``KC_FUZZ_CONVERSATIONS`` (default 300) and ``KC_FUZZ_SEED`` control the run;
``KC_FUZZ_ONLY=<index>`` replays one conversation. On failure the seed and each failing
conversation are printed.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.dialogues.conftest import StackPool
from tests.dialogues.fuzz import ACKS, FOLLOW_UPS, Conversation, FuzzTurn, Walker, run_conversation
from tests.dialogues.harness import RestChannel

DEFAULT_SEED = 20261130
DEFAULT_CONVERSATIONS = 300
# Conversations in flight at once: overlaps the action server's and Rasa's work without
# flooding a shared 2-core machine.
PARALLEL = 3
SHOWN_FAILURES = 10


def fuzz_settings() -> tuple[int, list[int]]:
    seed = int(os.environ.get("KC_FUZZ_SEED", DEFAULT_SEED))
    only = os.environ.get("KC_FUZZ_ONLY")
    if only:
        return seed, [int(i) for i in only.split(",")]
    count = int(os.environ.get("KC_FUZZ_CONVERSATIONS", DEFAULT_CONVERSATIONS))
    return seed, list(range(count))


def test_walks_are_reproducible_and_cover_every_intent() -> None:
    walker = Walker(7)
    first = [walker.next_turn(walker.rng(3), []) for _ in range(1)]
    again = [walker.next_turn(walker.rng(3), []) for _ in range(1)]
    assert first == again
    drawn = {
        walker.next_turn(rng, []).source
        for index in range(300)
        for rng in [walker.rng(index)]
        for _ in range(10)
    }
    assert {f"intent:{i}" for i in walker.intents} <= drawn
    assert {"follow_up", "emoji", "nonsense", "odd"} <= drawn
    assert {f"ack:{g}" for g in ACKS} <= drawn
    assert FOLLOW_UPS


def test_buttons_of_the_previous_reply_are_clicked() -> None:
    walker = Walker(11)
    buttons = [{"title": "Nej, jag frågar något annat", "payload": "/deny"}]
    rng = walker.rng(0)
    turns = [walker.next_turn(rng, buttons) for _ in range(200)]
    assert FuzzTurn("/deny", "intent:deny") in turns
    assert FuzzTurn("Nej, jag frågar något annat", "button") in turns


def test_same_question_detection() -> None:
    a = FuzzTurn("vad är numret", "intent:ask_phone")
    assert a.same_question_as(FuzzTurn("telefonnummer?", "intent:ask_phone"))
    assert a.same_question_as(FuzzTurn("Vad är numret?", "nonsense"))
    assert not FuzzTurn("asd", "nonsense").same_question_as(FuzzTurn("qwe", "nonsense"))
    where = FuzzTurn("var ligger HiD", "intent:hid_where")
    assert FuzzTurn("var ligger det?", "follow_up").same_question_as(where)
    assert not FuzzTurn("okej", "ack:ack").same_question_as(FuzzTurn("ja", "ack:affirm"))
    assert not a.same_question_as(None)


@pytest.mark.e2e
def test_random_conversations_keep_the_invariants(stack_pool: StackPool) -> None:
    seed, indices = fuzz_settings()
    walker = Walker(seed)
    channel = RestChannel(stack_pool.any().stack.url)
    with ThreadPoolExecutor(PARALLEL) as pool:
        conversations: list[Conversation] = list(
            pool.map(lambda i: run_conversation(walker, channel, i), indices)
        )
    turns = sum(len(c.turns) for c in conversations)
    failed = [c for c in conversations if c.violations]
    lines = [
        f"fuzz seed {seed}: {len(conversations)} conversations, {turns} turns, "
        f"{len(failed)} with violations"
    ]
    for conversation in failed[:SHOWN_FAILURES]:
        lines.append(
            f"- conversation {conversation.index} "
            f"(replay: KC_FUZZ_SEED={seed} KC_FUZZ_ONLY={conversation.index}):"
        )
        lines.extend(f"    {v}" for v in conversation.violations)
        lines.append(conversation.transcript())
    report = "\n".join(lines)
    print(report)
    assert not failed, report
