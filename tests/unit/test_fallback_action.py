"""The fallback admits not understanding and, the second time in a row, offers a person."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDeclineHuman, ActionDefaultFallback


def user(text: str, intent: str = "nlu_fallback") -> dict:
    return {"event": "user", "text": text,
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.2}}}


def run(action, events: list[dict]) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    latest = events[-1]["parse_data"]
    tracker = Tracker("r1", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, result


def test_first_miss_admits_it_and_offers_the_phone() -> None:
    messages, events = run(ActionDefaultFallback(), [user("blorf")])
    assert "förstod jag inte" in messages[0]["text"] and "042-10 50 00" in messages[0]["text"]
    assert events == [{"event": "slot", "timestamp": None, "name": "human_offered", "value": False}]


def test_second_miss_in_a_row_offers_a_kommunvagledare_with_buttons() -> None:
    messages, events = run(ActionDefaultFallback(), [user("blorf"), user("snurk")])
    assert "kommunvägledare" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events[0]["name"] == "human_offered" and events[0]["value"] is True


def test_an_understood_message_breaks_the_streak() -> None:
    messages, _ = run(ActionDefaultFallback(), [user("blorf"), user("hej", "greet"), user("snurk")])
    assert "förstod jag inte" in messages[0]["text"]


def test_empty_and_huge_messages_get_their_own_polite_reply() -> None:
    empty, _ = run(ActionDefaultFallback(), [user("   ")])
    assert "tomt" in empty[0]["text"]
    huge, _ = run(ActionDefaultFallback(), [user("ord " * 2000)])
    assert "för långt" in huge[0]["text"] and "sparat" in huge[0]["text"]


def test_declining_the_offer_resets_it() -> None:
    messages, events = run(ActionDeclineHuman(), [user("nej", "deny")])
    assert messages[0]["text"] and events[0]["value"] is False
