"""Presence and routing: who can take a chat, the per-agent limit, and the bot's queue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import delete

from actions import handover as handover_actions
from actions import services
from kontaktcenter.clock import now_utc
from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.desk.presence import (
    AVAILABLE,
    AWAY,
    BUSY,
    Routing,
    max_chats_from_env,
    parse_status,
)
from kontaktcenter.handover import HandoverService, NoAgentAvailable, texts
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.staff.models import StaffSession

PASSWORD = "ett-långt-lösenord-42"


@pytest.fixture()
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    staff = StaffDirectory(url)
    staff.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    staff.add("bo", "Bo Berg", "teamledare", PASSWORD)
    staff.add("rut", "Rut Registrator", "registrator", PASSWORD)
    for name in ("anna", "bo", "rut"):
        log_in(url, name)
    yield url
    get_database(url).dispose()


def log_in(url: str, username: str) -> str:
    """A live console session (presence counts only for agents who are logged in)."""
    staff = StaffDirectory(url)
    account = staff.get(username)
    assert account is not None
    return staff.create_session(account)[0]


def test_statuses_in_swedish_or_as_codes() -> None:
    assert [parse_status(s) for s in ("Tillgänglig", "upptagen", "away")] == [
        AVAILABLE, BUSY, AWAY]
    with pytest.raises(ValueError, match="Välj tillgänglig, upptagen eller borta"):
        parse_status("på lunch")


def test_the_limit_comes_from_config() -> None:
    assert max_chats_from_env({}) == 3
    assert max_chats_from_env({"KC_DESK_MAX_CHATS": "5"}) == 5
    for bad in ("tre", "0", "99"):
        with pytest.raises(ValueError, match="KC_DESK_MAX_CHATS"):
            max_chats_from_env({"KC_DESK_MAX_CHATS": bad})


def test_only_available_usable_agents_under_their_limit_can_take_chats(url: str) -> None:
    routing = Routing(url, max_chats=2)
    assert routing.status_of("anna") == AWAY  # never set: borta
    assert routing.available() == []
    routing.set_status("anna", "tillgänglig")
    routing.set_status("rut", "tillgänglig")  # a registrator takes no chats
    assert [a.username for a in routing.available()] == ["anna"]
    assert routing.available(exclude="anna") == []
    service = HandoverService(url)
    for conversation in ("c1", "c2"):
        ticket = service.request(conversation)
        service.take(ticket.handover.id, "anna", "Anna Andersson")
    [anna] = [a for a in routing.loads() if a.username == "anna"]
    assert (anna.open_chats, anna.can_take, anna.status_label) == (2, False, "tillgänglig")
    assert routing.available() == []
    StaffDirectory(url).disable("anna")
    assert [a.username for a in routing.loads()] == ["bo"]


def test_the_bot_queues_only_when_someone_can_take_the_chat(url: str) -> None:
    routing = Routing(url, max_chats=1)
    bot = HandoverService(url, routing=routing)
    with pytest.raises(NoAgentAvailable):
        bot.request("c1")
    assert HandoverService(url).active_for_conversation("c1") is None
    routing.set_status("bo", BUSY)
    with pytest.raises(NoAgentAvailable):
        bot.request("c1")
    routing.set_status("bo", AVAILABLE)
    first = bot.request("c1")
    assert first.new and first.place == 1
    assert bot.request("c1").new is False  # asking again while queued is not refused
    HandoverService(url).take(first.handover.id, "bo", "Bo Berg")
    with pytest.raises(NoAgentAvailable):  # bo is at the limit now
        bot.request("c2")


class StaffedCalendar:
    """The chat is staffed (opening hours are tested elsewhere); presence decides."""

    @dataclass(frozen=True)
    class Status:
        is_open: bool = True

    def status(self, at: datetime, channel: str) -> StaffedCalendar.Status:
        return self.Status()


def _tracker(sender: str) -> Tracker:
    events = [{"event": "session_started", "timestamp": 1.0},
              {"event": "user", "text": "Jag vill prata med en människa", "timestamp": 2.0,
               "parse_data": {"intent": {"name": "request_human"}}}]
    return Tracker(sender, {}, {}, events, False, None, {}, "action_listen")


def test_action_request_human_offers_the_message_form_when_nobody_is_available(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    routing = Routing(url)
    monkeypatch.setattr(handover_actions, "handover_service",
                        lambda: HandoverService(url, routing=routing))
    monkeypatch.setattr(handover_actions, "_case_number", lambda tracker: None)
    monkeypatch.setattr(handover_actions, "_concern", lambda tracker: "")
    monkeypatch.setattr(services, "calendar", lambda: StaffedCalendar())
    with freeze_time(datetime(2026, 12, 31, 22, 59, 30, tzinfo=timezone.utc)):
        log_in(url, "anna")  # a session that is live at this moment
        dispatcher = CollectingDispatcher()
        events = asyncio.run(handover_actions.ActionRequestHuman().run(
            dispatcher, _tracker("c1"), {}))
        assert dispatcher.messages[0]["text"] == texts.NOBODY_AVAILABLE
        assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
            "/leave_message", "/deny"]
        assert [e["event"] for e in events] == ["slot"]  # not paused: the bot still answers
        routing.set_status("anna", AVAILABLE)
        dispatcher = CollectingDispatcher()
        events = asyncio.run(handover_actions.ActionRequestHuman().run(
            dispatcher, _tracker("c1"), {}))
        assert "i kön" in dispatcher.messages[0]["text"]
        assert [e["event"] for e in events] == ["slot", "pause"]


def test_presence_follows_the_login(url: str) -> None:
    """Logged out, expired or idle: borta, whatever was chosen; a new login starts borta."""
    staff = StaffDirectory(url)
    anna = staff.get("anna")
    assert anna is not None
    routing = Routing(url, idle_timeout=timedelta(minutes=30))
    with get_database(url).session() as session:  # the fixture's sessions: nobody logged in
        session.execute(delete(StaffSession))
    routing.set_status("anna", AVAILABLE)
    assert routing.status_of("anna") == AWAY  # chosen, but not logged in
    assert routing.available() == []

    token = log_in(url, "anna")
    routing.logged_in("anna")  # a login with no other live session starts borta
    assert routing.status_of("anna") == AWAY
    routing.set_status("anna", AVAILABLE)
    assert [a.username for a in routing.available()] == ["anna"]

    second = log_in(url, "anna")  # a second tab or browser keeps the chosen status
    routing.logged_in("anna")
    assert routing.status_of("anna") == AVAILABLE
    staff.end_session(second)

    with freeze_time(now_utc() + timedelta(minutes=31)):  # idle longer than the limit
        assert routing.status_of("anna") == AWAY
        assert routing.available() == []
        assert [a.status for a in routing.loads() if a.username == "anna"] == [AWAY]
    assert routing.status_of("anna") == AVAILABLE  # still within the limit now

    staff.end_session(token)
    routing.logged_out("anna")
    assert routing.status_of("anna") == AWAY
    log_in(url, "anna")
    routing.logged_in("anna")
    assert routing.status_of("anna") == AWAY  # logging in never silently makes one available
