"""A message sent again with its delivery id is handled and registered once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from kontaktcenter.delivery import DELIVERY_KEY, delivery_id, delivery_of
from kontaktcenter.records import RecordOutcome, Register
from kontaktcenter.records.rasa_events import event_key
from rasa_addons.processor import ResilientProcessor, answers_to
from tests.records_events import T0, ev

ID = "a1b2c3d4e5f6a7b8c9d0e1f2"


@pytest.mark.parametrize("value", ["abcdefgh", "A" * 64, "x_-1" * 4, ID])
def test_a_well_formed_id_is_kept(value: str) -> None:
    assert delivery_id(value) == value
    assert delivery_of({DELIVERY_KEY: value}) == value


@pytest.mark.parametrize("value", [None, 42, "", "short", "A" * 65, "has space!", "<b>x</b>",
                                   "åäöåäöåäö", ["abcdefghij"]])
def test_anything_else_is_no_id(value: Any) -> None:
    assert delivery_id(value) is None
    assert delivery_of({DELIVERY_KEY: value}) is None
    assert delivery_of(value) is None


def user(sender: str, seconds: float, text: str, delivery: str | None = None) -> dict:
    extra = {"metadata": {DELIVERY_KEY: delivery}} if delivery else {}
    return ev("user", sender, T0 + timedelta(seconds=seconds), text, **extra)


def test_the_key_of_a_message_sent_again_is_its_delivery_id_not_its_time() -> None:
    first, again = user("c1", 1, "hej", ID), user("c1", 9, "hej", ID)
    assert event_key(first) == event_key(again)
    # Without an id the time tells two messages apart, as before.
    assert event_key(user("c1", 1, "hej")) != event_key(user("c1", 9, "hej"))
    # An id is per conversation, and only a resident's message is keyed by it.
    assert event_key(user("c2", 1, "hej", ID)) != event_key(first)
    bot = ev("bot", "c1", T0, "svar", metadata={DELIVERY_KEY: ID})
    assert event_key(bot) != event_key({**bot, "timestamp": bot["timestamp"] + 1})


def test_the_register_keeps_a_message_sent_again_once(register: Register) -> None:
    outcomes = [
        register.record_event(ev("session_started", "c1", T0)),
        register.record_event(user("c1", 1, "Var ligger ni?", ID)),
        # The server died after the spool had it; the next server got it again.
        register.record_event(user("c1", 7, "Var ligger ni?", ID)),
        register.record_event(user("c1", 8, "Var ligger ni?", "another-id-000")),
    ]
    assert outcomes[2] is RecordOutcome.DUPLICATE
    assert outcomes[3] is RecordOutcome.RECORDED
    case = register.case_for_conversation("c1")
    assert case is not None
    detail = register.get_case(case.diarienummer)
    assert detail is not None
    assert [m.text for m in detail.messages] == ["Var ligger ni?", "Var ligger ni?"]


def said(text: str, delivery: str | None = None) -> UserUttered:
    return UserUttered(text, metadata={DELIVERY_KEY: delivery} if delivery else {})


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("c1", list(events))


def test_answers_to_finds_what_was_said_after_the_message() -> None:
    held = tracker(
        SessionStarted(), ActionExecuted("action_listen"),
        said("hej", "first-id-0000"), BotUttered("Hej!"), ActionExecuted("action_listen"),
        said("var ligger ni?", ID), BotUttered("På Drottninggatan 2."),
        BotUttered("Något mer?"), ActionExecuted("action_listen"),
        said("tack"), BotUttered("Varsågod!"),
    )
    assert [b.text for b in answers_to(held, ID) or []] == ["På Drottninggatan 2.", "Något mer?"]
    assert answers_to(held, "unknown-id-00") is None
    # Kept, but nothing said yet (waiting for a kommunvägledare): an empty answer.
    assert answers_to(tracker(SessionStarted(), said("hallå?", ID)), ID) == []


def test_answers_to_looks_only_at_the_current_session() -> None:
    held = tracker(SessionStarted(), said("hej", ID), BotUttered("Hej!"), SessionStarted())
    assert answers_to(held, ID) is None


class _Processor(ResilientProcessor):
    """The real processor's message path, with the tracker held in memory."""

    def __init__(self, held: DialogueStateTracker) -> None:  # no model: skip Rasa's init
        self.held = held
        self._records = None
        self.handled: list[str] = []

    async def fetch_tracker_and_update_session(self, *_: Any) -> DialogueStateTracker:
        return self.held

    async def _handle_message_with_tracker(self, message: UserMessage, tracker: Any) -> None:
        self.handled.append(message.text or "")
        tracker.update(said(message.text or "", delivery_of(message.metadata)))


def message(text: str, delivery: str | None) -> UserMessage:
    return UserMessage(text, CollectingOutputChannel(), "c1",
                       metadata={DELIVERY_KEY: delivery} if delivery else {})


def test_a_message_already_held_is_answered_again_and_not_handled() -> None:
    held = tracker(SessionStarted(), said("var ligger ni?", ID), BotUttered("På Drottninggatan 2."),
                   ActionExecuted("action_listen"))
    processor = _Processor(held)
    replies = asyncio.run(processor.handle_message(message("var ligger ni?", ID)))
    assert [r["text"] for r in replies or []] == ["På Drottninggatan 2."]
    assert processor.handled == []
    assert [e.text for e in held.events if isinstance(e, UserUttered)] == ["var ligger ni?"]


def test_a_new_delivery_id_is_logged_as_usual() -> None:
    held = tracker(SessionStarted(), said("var ligger ni?", ID))
    processor = _Processor(held)
    logged = asyncio.run(processor.log_message(message("var ligger ni?", "a-new-id-0000"),
                                               should_save_tracker=False))
    assert processor.handled == ["var ligger ni?"]
    assert [e.text for e in logged.events if isinstance(e, UserUttered)] == ["var ligger ni?"] * 2
