"""The bot queues a resident only when an agent is available (real Rasa and actions)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from kontaktcenter.desk.presence import AVAILABLE, AWAY, AgentPresenceRow, Routing
from kontaktcenter.handover import HandoverService, texts
from kontaktcenter.staff import StaffDirectory
from tests.e2e.stack import RasaStack


@pytest.fixture
def open_but_nobody_available(stack: RasaStack) -> Iterator[str]:
    """The shared stack runs at an open hour (tests/e2e/conftest.py); nobody is tillgänglig."""
    db = stack.env["KC_DATABASE_URL"]
    routing = Routing(db)
    with routing.db.session() as session, session.begin():
        session.execute(update(AgentPresenceRow).values(status=AWAY))
    yield db


def test_nobody_available_offers_the_message_form_then_an_available_agent_gets_the_queue(
    stack: RasaStack, open_but_nobody_available: str
) -> None:
    db = open_but_nobody_available
    resident = "e2e-desk-" + uuid.uuid4().hex[:8]
    replies = stack.say(resident, "jag vill prata med en människa")
    [told] = [r for r in replies if r.get("text") == texts.NOBODY_AVAILABLE]
    assert [b["payload"] for b in told["buttons"]] == ["/leave_message", "/deny"]
    assert HandoverService(db).active_for_conversation(resident) is None
    # The bot is not paused: it still answers.
    assert stack.say(resident, "nej tack")
    username = "e2e" + uuid.uuid4().hex[:8]
    staff = StaffDirectory(db)
    staff.create_session(
        staff.add(username, "Anna Andersson", "kommunvägledare", "ett-långt-lösenord-42"))
    Routing(db).set_status(username, AVAILABLE)  # logged in and tillgänglig
    try:
        replies = stack.say(resident, "jag vill prata med en människa")
        assert "i kön" in " ".join(r.get("text", "") for r in replies)
        assert HandoverService(db).active_for_conversation(resident) is not None
    finally:
        Routing(db).set_status(username, AWAY)
