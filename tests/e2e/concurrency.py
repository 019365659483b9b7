"""Many residents at once through the running product; shared by SQLite and PostgreSQL tests."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from kontaktcenter.records import Register
from tests.e2e.stack import RasaStack

QUESTIONS = ("hej", "vilket telefonnummer har ni?", "vad är mitt ärendenummer")


def wait_for_messages(register: Register, sender: str, count: int, seconds: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    detail = None
    while time.monotonic() < deadline:
        case = register.case_for_conversation(sender)
        detail = register.get_case(case.diarienummer) if case else None
        if detail and len(detail.messages) >= count:
            return detail
        time.sleep(0.3)
    return detail


def assert_concurrent_conversations_registered(stack: RasaStack, residents: int) -> None:
    """``residents`` conversations at once: distinct consecutive numbers, nothing lost."""
    senders = [f"conc-{uuid.uuid4().hex[:8]}" for _ in range(residents)]

    def talk(sender: str) -> str:
        replies = [stack.say(sender, q) for q in QUESTIONS]
        return " ".join(r.get("text", "") for r in replies[-1])

    with ThreadPoolExecutor(max_workers=25) as pool:
        last_replies = list(pool.map(talk, senders))
    register = Register(stack.env["KC_DATABASE_URL"])
    numbers = []
    for sender, reply in zip(senders, last_replies):
        # 3 answers from the bot, 3 messages from the resident (the widget shows the notice)
        detail = wait_for_messages(register, sender, 6)
        assert detail is not None, sender
        assert detail.case.diarienummer in reply, (sender, reply, detail.case.diarienummer)
        resident = [m.text for m in detail.messages if m.sender_role == "invånare"]
        assert resident == list(QUESTIONS), resident
        assert len(detail.messages) == 6, [m.text for m in detail.messages]
        numbers.append(int(detail.case.diarienummer.rsplit("-", 1)[1]))
    assert len(set(numbers)) == residents
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + residents))
