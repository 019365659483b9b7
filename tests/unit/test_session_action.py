"""action_session_start: one ärende per session; the web chat gets its number pushed."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.session import CASE_METADATA_KEY, ActionSessionStart
from kontaktcenter.records.register import RecordOutcome, Register
from tests.records_events import T0, ev, make_register


@pytest.fixture
def register(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Register:
    chosen = make_register(sqlite_url)
    monkeypatch.setattr(services, "register", lambda: chosen)
    return chosen


def start_session(sender: str, channel: str = "socketio") -> list[dict]:
    events = [{"event": "user", "text": "hej", "input_channel": channel}]
    tracker = Tracker(sender, {}, {}, events, False, None, {}, "action_listen")
    return asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, {}))


def as_published(sender: str, events: list[dict], delay: float = 0.01) -> list[dict]:
    """The events as Rasa's broker publishes them: Rasa gives the events an action
    returns new timestamps (DialogueStateTracker.update_with_events), later than the
    action's own clock."""
    stamp = events[0]["timestamp"] + delay
    return [
        {**e, "sender_id": sender, "timestamp": stamp + i * 0.001} for i, e in enumerate(events)
    ]


def test_the_web_chat_gets_the_number_pushed_after_session_started(register: Register) -> None:
    events = start_session("c1")
    assert [e["event"] for e in events] == ["session_started", "bot", "action"]
    started, pushed = events[0], events[1]
    assert pushed["timestamp"] > started["timestamp"]
    assert pushed["text"] is None  # the widget shows the public-record notice itself
    number = register.case_for_conversation("c1").diarienummer
    # Rasa's channels drop event metadata; custom JSON reaches the socket.io client.
    assert pushed["data"]["custom"] == {CASE_METADATA_KEY: number}


def test_other_channels_get_no_extra_message_but_the_arende_is_opened(
    register: Register,
) -> None:
    events = start_session("c3", channel="rest")
    assert [e["event"] for e in events] == ["session_started", "action"]
    assert register.case_for_conversation("c3") is not None


def test_the_session_start_takes_over_the_actions_arende(register: Register) -> None:
    """One ärende per session although Rasa re-stamps the session start."""
    events = as_published("c1", start_session("c1"))
    number = events[1]["data"]["custom"][CASE_METADATA_KEY]
    assert register.record_event(events[0]) is RecordOutcome.UPDATED  # taken over
    assert register.record_event(events[0]) is RecordOutcome.DUPLICATE
    assert register.record_event(events[1]) is RecordOutcome.IGNORED  # no text: no message
    started = datetime.fromtimestamp(events[0]["timestamp"], tz=timezone.utc)
    assert register.current_case("c1", started).diarienummer == number  # "mitt ärendenummer?"
    cases = register.list_cases()
    assert [c.diarienummer for c in cases] == [number]
    detail = register.get_case(number)
    assert detail.messages == []  # the pushed number is not a message of the ärende


def test_the_next_session_gets_its_own_arende(register: Register) -> None:
    first = as_published("c1", start_session("c1"))
    for event in first:
        register.record_event(event)
    second = as_published("c1", start_session("c1"))
    for event in second:
        register.record_event(event)
    numbers = [e["data"]["custom"][CASE_METADATA_KEY] for e in (first[1], second[1])]
    assert numbers[0] != numbers[1]
    cases = {c.diarienummer: c for c in register.list_cases()}
    assert set(cases) == set(numbers)
    assert cases[numbers[0]].status == "closed" and cases[numbers[1]].status == "open"
    assert cases[numbers[1]].message_count == 0


def test_a_session_the_action_did_not_see_opens_its_own_arende(register: Register) -> None:
    register.open_session_case("c1", T0)
    later = T0 + timedelta(seconds=5)
    assert register.record_event(ev("session_started", "c2", later)) is RecordOutcome.OPENED
    assert register.record_event(ev("session_started", "c1", T0 - timedelta(seconds=1))) is (
        RecordOutcome.OPENED  # started before the pending one: not its session
    )


def test_a_broken_register_never_stops_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Register:
        raise RuntimeError("databasen är borta")

    monkeypatch.setattr(services, "register", broken)
    events = start_session("c2")
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_the_live_view_reads_only_the_current_session() -> None:
    from kontaktcenter.records.rasa_events import current_session, left_conversation

    events = [
        {"event": "session_started", "timestamp": 1.0},
        {"event": "user", "text": "gammal fråga", "timestamp": 2.0},
        "not an event",
        {"event": "session_started", "timestamp": 3.0},
        {"event": "user", "text": "ny fråga", "timestamp": 4.0},
    ]
    assert [e["timestamp"] for e in current_session(events)] == [3.0, 4.0]
    assert not left_conversation(events)
    assert left_conversation([*events, {"event": "restart", "timestamp": 5.0}])
