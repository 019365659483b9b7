"""Issue 11: every accepted message reaches the register exactly once, in order, after
the register was locked and Rasa was killed, after the spool was lost, and when the
spool's disk is full (loud failure and refusal instead of silent loss)."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.instance import (
    NOT_DURABLE,
    PHONE,
    PHONE_QUESTION,
    FaultStack,
    as_register,
    poll,
    register_locked,
    registered_once,
)
from tests.faults.report import record

MESSAGES = 25


@pytest.fixture()
def instance(tmp_path: Path) -> Iterator[FaultStack]:
    stack = FaultStack(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()


def chat(stack: FaultStack, sender: str, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        question = f"{PHONE_QUESTION} ({n})" if n % 2 else f"Hej ({n})"
        replies = stack.say(sender, question)
        assert replies, f"meddelande {n} fick inget svar"


def tally(stack: FaultStack, case: str, senders: list[str], refused: int = 0,
          note: str = "") -> None:
    """Record the case's figures: tracked messages, and those in the register once."""
    tracked = {s: stack.tracker_messages(s) for s in senders}
    once = sum(registered_once(t, stack.register_messages(s)) for s, t in tracked.items())
    record(case, accepted=sum(len(t) for t in tracked.values()), once=once, refused=refused,
           note=note or "meddelanden från invånare och bot")


def registered_exactly_as_tracked(stack: FaultStack, sender: str) -> bool:
    tracked = stack.tracker_messages(sender)
    return bool(tracked) and stack.register_messages(sender) == as_register(tracked)


def test_register_locked_then_rasa_killed_loses_nothing(instance: FaultStack) -> None:
    stack = instance.start()
    spooled = f"spool-{uuid.uuid4().hex}"
    with register_locked(stack.register_db):
        chat(stack, spooled, MESSAGES)
        stack.kill9(stack.rasa)
    tracked = stack.tracker_messages(spooled)
    assert [kind for kind, _ in tracked].count("user") == MESSAGES
    assert stack.register_messages(spooled) == []  # nothing could be written yet

    stack.start_rasa()  # the spool survived the crash: written at start
    try:
        poll(lambda: registered_exactly_as_tracked(stack, spooled), 120,
             "registret har varje meddelande en gång, i ordning")
    finally:
        tally(stack, "Registret låst, sedan kill -9 av Rasa", [spooled])


def one_proper_case(stack: FaultStack, sender: str) -> str:
    """The conversation's single ärende, numbered and claimed by its Rasa session."""
    cases = stack.register_cases(sender)
    assert len(cases) == 1, cases
    number, key = cases[0]
    assert re.fullmatch(r"KC-\d{4}-\d{6}", number), number
    assert re.fullmatch(r"[0-9a-f]{64}", key), key  # not "pending:…", not "auto:…"
    return number


def test_lost_spool_is_reconciled_with_the_tracker_store(instance: FaultStack) -> None:
    """The spool is lost with its disk after a crash: start-up reconciliation with the
    tracker store restores both a conversation whose ärende was opened (as pending, by
    action_session_start) before the register locked and one that started while locked."""
    stack = instance.start()
    opened, unopened = f"lost-opened-{uuid.uuid4().hex}", f"lost-locked-{uuid.uuid4().hex}"
    chat(stack, opened, 2)
    poll(lambda: registered_exactly_as_tracked(stack, opened), 60, "de första turerna registreras")
    before = one_proper_case(stack, opened)
    with register_locked(stack.register_db):
        chat(stack, opened, 4, first=2)
        chat(stack, unopened, 6)
        stack.kill9(stack.rasa)
    assert len(stack.register_messages(opened)) == 4  # the rest only in the spool
    assert stack.register_messages(unopened) == []
    shutil.rmtree(stack.var / "spool")
    stack.start_rasa()
    try:
        for sender in (opened, unopened):
            poll(lambda s=sender: registered_exactly_as_tracked(stack, s), 120,
                 f"avstämningen mot trackern registrerar det som saknas ({sender})")
    finally:
        tally(stack, "Spoolen förlorad efter kill -9 (avstämning mot trackern)",
              [opened, unopened])
    assert one_proper_case(stack, opened) == before
    assert one_proper_case(stack, unopened) != before
    assert [kind for kind, _ in stack.tracker_messages(unopened)].count("user") == 6
    assert "were in the tracker store but not in the register" in stack.rasa_log.read_text()


def test_spool_disk_full_is_loud_and_refuses_instead_of_losing(instance: FaultStack) -> None:
    spool = instance.var / "spool"
    spool.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(spool)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(
            "Testet behöver en liten tmpfs för spoolen men 'mount -t tmpfs -o size=64k' "
            f"nekades ({mounted.stderr.strip()}); kör som root eller med CAP_SYS_ADMIN. "
            "Fallet 'full disk' är då inte prövat."
        )
    try:
        stack = instance.start()
        sender = f"full-{uuid.uuid4().hex}"
        answered: list[str] = []
        refused = None
        with register_locked(stack.register_db):
            for n in range(80):  # 64 KiB hold a few dozen events at most
                text = f"Hej, fråga nummer {n}"
                replies = stack.say(sender, text)
                said = " ".join(r.get("text", "") for r in replies)
                if NOT_DURABLE in said:
                    refused = text
                    break
                assert replies, f"{text!r} fick inget svar"
                answered.append(text)
            assert refused, "chatten tog emot meddelanden fast spoolen var full"
            code, body = stack.health()
            assert code == 503 and body["register"]["durable"] is False
            assert "No space left" in body["register"]["last_error"]
            assert "kc_register_durable 0" in stack.metrics()
            assert "REGISTER NOT DURABLE" in stack.rasa_log.read_text()
            again = stack.say(f"ny-{uuid.uuid4().hex}", "Hej")
            assert NOT_DURABLE in again[0]["text"]  # new conversations refused too
        poll(lambda: stack.health()[0] == 200, 120, "registret blir varaktigt igen")
        after = stack.say(sender, PHONE_QUESTION)
        assert PHONE in " ".join(r.get("text", "") for r in after)
        try:
            poll(lambda: registered_exactly_as_tracked(stack, sender), 120,
                 "allt som togs emot finns i registret en gång")
        finally:
            tally(stack, "Spooldisken full (tmpfs 64 KiB)", [sender], refused=2,
                  note="nekade: ett meddelande i samtalet och ett nytt samtal")
        users = [text for role, text in stack.register_messages(sender) if role == "invånare"]
        assert users == [*answered, PHONE_QUESTION]  # the refused message was never accepted
    finally:
        instance.stop()
        subprocess.run(["umount", "-l", str(spool)], capture_output=True)
