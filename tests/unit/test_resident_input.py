"""Checks on what residents send: text, senders, metadata, floods, tokens, forged payloads.

The REST channel's HTTP behaviour against the running product is in
tests/e2e/test_hostile_residents.py; here the pieces are tested on their own.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from kontaktcenter import input_check
from kontaktcenter.conversation_token import ConversationTokens
from kontaktcenter.flood import FloodGuard, FloodLimits
from kontaktcenter.records.rasa_events import MAX_MESSAGE_CHARS as REGISTER_LIMIT
from rasa_addons import rest_channel
from rasa_addons.resident_gate import Refusal, checked_text, offered_payloads, parse_override

# ------------------------------------------------------------------ text


def test_one_limit_below_what_the_register_keeps() -> None:
    """Everything a channel accepts is stored whole: the bot never calls a cut text saved."""
    assert input_check.MAX_MESSAGE_CHARS <= REGISTER_LIMIT


@pytest.mark.parametrize(
    ("value", "refusal"),
    [
        (None, input_check.NOT_TEXT_REFUSED),
        (123, input_check.NOT_TEXT_REFUSED),
        (["hej"], input_check.NOT_TEXT_REFUSED),
        ({"text": "hej"}, input_check.NOT_TEXT_REFUSED),
        ("", input_check.EMPTY_REFUSED),
        ("   \n\t ", input_check.EMPTY_REFUSED),
        ("\x00\x01\x7f", input_check.EMPTY_REFUSED),
        ("x" * (input_check.MAX_MESSAGE_CHARS + 1), input_check.TOO_LONG_REFUSED),
        ("x" * 100_000, input_check.TOO_LONG_REFUSED),
    ],
)
def test_unusable_text_is_refused_in_swedish(value: Any, refusal: str) -> None:
    result = checked_text(value)
    assert isinstance(result, Refusal) and result.text == refusal
    assert 400 <= result.status < 500


def test_the_longest_accepted_message_is_kept_whole() -> None:
    text = "å" * input_check.MAX_MESSAGE_CHARS
    assert checked_text(text) == text


def test_the_limit_is_said_to_the_resident() -> None:
    assert "5\u00a0000" in input_check.TOO_LONG_REFUSED
    assert "inte sparats" in input_check.TOO_LONG_REFUSED


def test_lone_surrogates_become_replacement_characters() -> None:
    assert checked_text("Hej \ud800") == "Hej \ufffd"
    assert checked_text("a\ud83d\ude00b") == "a\U0001f600b"  # a split pair is rejoined
    assert checked_text("Hej \ud800").encode("utf-8")  # storable


def test_ordinary_text_is_passed_unchanged() -> None:
    for text in ("Har ni öppet?", "<b>hej</b>", "\u202eabc", "a\u200bb", "😀" * 10):
        assert checked_text(text) == text


# ------------------------------------------------------------------ senders


@pytest.mark.parametrize(
    "sender",
    [None, "", 5, ["a"], {"a": 1}, " anna", "anna ", "bi\x00col\nx", "a\tb", "a\u200bb",
     "a\u2028b", "x" * (input_check.MAX_SENDER_CHARS + 1), "\ud800"],
)
def test_invalid_senders_are_refused_not_normalised(sender: Any) -> None:
    result = rest_channel.check_sender(sender)
    assert isinstance(result, Refusal) and result.status == 400
    assert result.text == input_check.BAD_SENDER_REFUSED


@pytest.mark.parametrize("sender", ["anna", "bicol x", "conc-1234", "x" * 128, "Åsa_ö-1"])
def test_valid_senders_are_kept_as_given(sender: str) -> None:
    assert rest_channel.check_sender(sender) == sender


def test_web_chat_ids_are_refused_over_rest() -> None:
    result = rest_channel.check_sender(uuid.uuid4().hex)
    assert isinstance(result, Refusal) and result.status == 403
    assert result.text == input_check.SENDER_TAKEN_REFUSED


@pytest.mark.parametrize("raw", [b"", b"[]", b'[{"sender": "a"}]', b"not json", b"\xff\xfe",
                                 b'"text"', b"null", b"12"])
def test_bodies_that_are_not_json_objects_get_400(raw: bytes) -> None:
    result = rest_channel.read_body(raw)
    assert isinstance(result, Refusal) and result.status == 400
    assert result.text == input_check.BAD_BODY_REFUSED


def test_staff_side_metadata_is_dropped() -> None:
    metadata = {"kc_resident_name": "Kommunvägledare Anna", "KC_AGENT": "x", "kc_closed": True,
                "page": "/kontakt", 1: "x"}
    assert input_check.resident_metadata(metadata) == {"page": "/kontakt"}
    assert input_check.resident_metadata("kc_resident_name") == {}


# ------------------------------------------------------------------ floods


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_from_one_sender_is_cut_then_refills() -> None:
    clock = FakeClock()
    guard = FloodGuard(FloodLimits(sender_burst=5, sender_per_second=1.0, sender_in_flight=99),
                       clock=clock)
    admitted = [guard.admit("anna", "10.0.0.1") for _ in range(20)]
    assert admitted == [True] * 5 + [False] * 15
    for _ in range(5):
        guard.done("anna")
    assert guard.admit("bertil", "10.0.0.1")  # another sender is not punished
    clock.now += 2.0
    assert [guard.admit("anna", "10.0.0.1") for _ in range(3)] == [True, True, False]


def test_an_address_is_limited_across_senders() -> None:
    clock = FakeClock()
    guard = FloodGuard(FloodLimits(address_burst=10, address_per_second=0.0,
                                   sender_in_flight=99), clock=clock)
    results = [guard.admit(f"s{n}", "10.0.0.9") for n in range(15)]
    assert results == [True] * 10 + [False] * 5
    assert guard.admit("s99", "10.0.0.10")


def test_messages_in_flight_per_sender_are_capped() -> None:
    guard = FloodGuard(FloodLimits(sender_burst=100, sender_in_flight=2), clock=FakeClock())
    assert [guard.admit("anna", None) for _ in range(3)] == [True, True, False]
    guard.done("anna")
    assert guard.admit("anna", None)


def test_limits_come_from_the_environment() -> None:
    limits = FloodLimits.from_env({"KC_FLOOD_SENDER_BURST": "3", "KC_FLOOD_ADDRESS_BURST": "7"})
    assert (limits.sender_burst, limits.address_burst) == (3, 7)


def test_forgotten_keys_are_bounded() -> None:
    guard = FloodGuard(FloodLimits(tracked_keys=50), clock=FakeClock())
    for n in range(500):
        guard.admit(f"s{n}", None)
        guard.done(f"s{n}")
    assert len(guard._senders._state) <= 50


# ------------------------------------------------------------------ conversation tokens


def test_tokens_name_their_conversation_only_with_the_right_key() -> None:
    tokens = ConversationTokens("k1")
    conversation = tokens.new_conversation_id()
    token = tokens.issue(conversation)
    assert tokens.conversation(token) == conversation
    assert ConversationTokens("k2").conversation(token) is None
    assert tokens.conversation(conversation) is None  # a bare id proves nothing
    other = tokens.new_conversation_id()
    assert tokens.conversation(other + token[32:]) is None  # a signature for another id
    for junk in (None, 5, "", ".", "x.y", token + "x", token[:-1], "A" * 32 + token[32:]):
        assert tokens.conversation(junk) is None


def test_the_secret_is_never_printed() -> None:
    assert "k1" not in repr(ConversationTokens("k1"))


def test_without_a_secret_a_process_secret_is_used(caplog: pytest.LogCaptureFixture) -> None:
    tokens = ConversationTokens.from_env({})
    assert tokens.conversation(tokens.issue("0" * 32)) == "0" * 32
    assert "KC_CONVERSATION_SECRET" in caplog.text


# ------------------------------------------------------------------ typed intents


class FakeStore:
    def __init__(self, events: list[Any] | None) -> None:
        self.events = events

    async def retrieve(self, sender_id: str) -> Any:
        if self.events is None:
            return None
        return type("Tracker", (), {"events": self.events})()


class FakeAgent:
    def __init__(self, events: list[Any] | None) -> None:
        self.tracker_store = FakeStore(events)


OFFER = BotUttered("Vill du prata med en kommunvägledare?", data={"buttons": [
    {"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"}]})


def override(events: list[Any] | None, text: str) -> dict[str, Any] | None:
    return asyncio.run(parse_override(FakeAgent(events), "anna", text))


@pytest.mark.parametrize("text", ["/session_start", "/request_human", " /restart",
                                  '/ask_opening_hours{"date":[1]}', "/affirm{\"x\": 1}",
                                  "/affirm@0.1"])
def test_typed_intents_are_plain_text(text: str) -> None:
    for events in (None, [], [OFFER, ActionExecuted("action_listen")]):
        parse = override(events, text)
        assert parse is not None and parse["intent"]["name"] == "nlu_fallback"
        assert parse["entities"] == [] and parse["text"] == text


def test_only_payloads_offered_in_the_last_bot_message_pass() -> None:
    events = [OFFER, ActionExecuted("action_listen")]
    assert override(events, "/affirm") is None
    assert override(events, "/deny") is None
    later = [OFFER, UserUttered("nej"), BotUttered("Okej."), ActionExecuted("action_listen")]
    assert override(later, "/affirm") is not None  # no longer offered


def test_ordinary_text_is_left_to_nlu() -> None:
    assert override(None, "Har ni öppet / stängt?") is None


def test_offered_payloads_include_quick_replies() -> None:
    bot = BotUttered("?", data={"quick_replies": [{"title": "A", "payload": "/a"}, {"x": 1}]})
    assert offered_payloads([bot]) == {"/a"}
