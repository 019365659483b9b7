"""Issue 11: a conversation that starts while the action server is down is told so in
Swedish, and answers normally as soon as the action server is back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.instance import (
    ACTIONS_DOWN,
    PHONE,
    PHONE_QUESTION,
    FaultStack,
    as_register,
    poll,
    registered_once,
)
from tests.faults.report import record


@pytest.fixture()
def instance(tmp_path: Path) -> Iterator[FaultStack]:
    stack = FaultStack(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()


def texts(replies: list[dict]) -> str:
    return " ".join(r.get("text", "") for r in replies)


def test_conversation_started_while_actions_are_down_answers_once_they_are_back(
    instance: FaultStack,
) -> None:
    stack = instance.start()
    stack.kill9(stack.actions)
    sender = f"mute-{uuid.uuid4().hex}"

    first = texts(stack.say(sender, "Hej"))
    assert "allmän handling" in first  # the session started, with the public-record notice
    assert ACTIONS_DOWN in first
    for _ in range(12):  # more than the circuit breaker's 10 actions
        reply = texts(stack.say(sender, PHONE_QUESTION))
        assert ACTIONS_DOWN in reply and PHONE in reply  # the notice names the phone number

    stack.start_actions()
    back = texts(stack.say(sender, PHONE_QUESTION))
    assert ACTIONS_DOWN not in back and PHONE in back
    assert texts(stack.say(sender, "Hej"))  # and it keeps answering

    tracked = stack.tracker_messages(sender)
    try:
        poll(lambda: stack.register_messages(sender) == as_register(tracked), 60,
             "samtalet finns i registret")
    except AssertionError:
        print("TRACKED", as_register(tracked))
        print("REGISTER", stack.register_messages(sender))
        raise
    finally:
        record("kill -9 av action-servern före samtalets start", accepted=len(tracked),
               once=registered_once(tracked, stack.register_messages(sender)),
               note="svar med besked medan den är nere, vanliga svar när den är tillbaka")
