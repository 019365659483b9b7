"""action_session_start: one ärende per session, the notice after SessionStarted, with its number."""

from __future__ import annotations

import asyncio

import pytest
from conftest_records import (  # noqa: F401  (fixtures)
    make_register,
    records_template_fixture,
    sqlite_url_fixture,
)
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.session import CASE_METADATA_KEY, ActionSessionStart
from kontaktcenter.records.register import RecordOutcome, Register


@pytest.fixture
def register(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Register:
    chosen = make_register(sqlite_url)
    monkeypatch.setattr(services, "register", lambda: chosen)
    return chosen


def start_session(sender: str) -> list[dict]:
    tracker = Tracker(sender, {}, {}, [], False, None, {}, "action_listen")
    return asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, {}))


def as_published(sender: str, events: list[dict]) -> list[dict]:
    """The events as Rasa's broker publishes them (sender_id added, input channel on user)."""
    return [{"sender_id": sender, **e} for e in events]


def test_the_notice_follows_session_started_and_carries_the_number(register: Register) -> None:
    events = start_session("c1")
    assert [e["event"] for e in events] == ["session_started", "bot", "action"]
    started, notice = events[0], events[1]
    assert notice["timestamp"] > started["timestamp"]
    assert "allmän handling" in notice["text"]
    number = register.case_for_conversation("c1").diarienummer
    # Rasa's channels drop event metadata; custom JSON reaches socket.io and REST clients.
    assert notice["data"]["custom"] == {CASE_METADATA_KEY: number}
    assert notice["metadata"] == {CASE_METADATA_KEY: number}


def test_the_broker_finds_the_same_arende_and_records_the_notice(register: Register) -> None:
    events = as_published("c1", start_session("c1"))
    assert register.record_event(events[0]) is RecordOutcome.DUPLICATE  # opened by the action
    assert register.record_event(events[1]) is RecordOutcome.RECORDED
    cases = register.list_cases()
    assert len(cases) == 1
    detail = register.get_case(cases[0].diarienummer)
    assert [m.sender_role for m in detail.messages] == ["chattbot"]
    assert detail.messages[0].text == events[1]["text"]


def test_a_broken_register_never_stops_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Register:
        raise RuntimeError("databasen är borta")

    monkeypatch.setattr(services, "register", broken)
    events = start_session("c2")
    assert [e["event"] for e in events] == ["session_started", "bot", "action"]
    assert "custom" not in (events[1].get("data") or {})
