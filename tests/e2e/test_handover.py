"""Handover end to end: the running Rasa + action server, the console, a socket.io resident.

"Open" and "closed" come from the stacks' clocks (KC_NOW): ``stack`` runs on a Thursday
at 10.00 (staffed), ``weekend_stack`` on a Saturday (closed), at any real hour.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import socketio
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from kontaktcenter.console.state import STATE_KEY
from kontaktcenter.desk.presence import AVAILABLE, Routing
from kontaktcenter.facts import get_facts
from kontaktcenter.handover import HandoverService, HandoverSettings, texts
from kontaktcenter.handover.contact import ASK_AGAIN_EMAIL, ASK_AGAIN_PHONE
from kontaktcenter.records import Register
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.web.app import create_app
from tests.e2e.stack import ROOT, RasaStack

pytestmark = pytest.mark.e2e
PASSWORD = "ett-långt-lösenord-42"


def db_url(stack: RasaStack) -> str:
    return stack.env["KC_DATABASE_URL"]


class Resident:
    """A web-chat resident on socket.io (polling: NOTES.md pitfall 4)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient()
        self.received: list[dict[str, Any]] = []
        self.conversation = ""
        self.sio.on("bot_uttered", self.received.append)

    async def connect(self) -> Resident:
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.sio.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        await self.sio.connect(self.url, transports=["polling"])
        await self.sio.emit("session_request", {"session_id": None})
        # session_confirm carries the signed token "<conversation id>.<signature>".
        self.conversation = (await asyncio.wait_for(confirmed, 10)).split(".")[0]
        return self

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.conversation})

    async def expect(self, predicate, timeout: float = 30) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for message in self.received[seen:]:
                if predicate(message):
                    return message
            seen = len(self.received)
            await asyncio.sleep(0.1)
        raise AssertionError(f"no matching bot message in {timeout} s: {self.received[-5:]}")

    async def expect_text(self, fragment: str, timeout: float = 30) -> dict[str, Any]:
        return await self.expect(lambda m: fragment in (m.get("text") or ""), timeout)


@asynccontextmanager
async def console(stack: RasaStack, timeout: timedelta | None = None) -> AsyncIterator[TestClient]:
    settings = Settings(root=ROOT, var_dir=stack.workdir / "var", config_dir=ROOT / "config",
                        database_url=db_url(stack), rasa_url=stack.url, rasa_token=stack.token)
    app = create_app(settings)
    if timeout is not None:
        app[STATE_KEY].handover_settings = HandoverSettings(timeout, 0.5)
    client = TestClient(TestServer(app), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def agent_account(stack: RasaStack) -> str:
    """A kommunvägledare who is tillgänglig: the bot queues only when someone can take it."""
    staff = StaffDirectory(db_url(stack))
    username = "e2e" + uuid.uuid4().hex[:8]
    account = staff.add(username, "Anna Andersson", "kommunvägledare", PASSWORD)
    staff.create_session(account)  # logged in at her desk: presence counts only then
    Routing(db_url(stack)).set_status(username, AVAILABLE)
    return username


async def login(client: TestClient, username: str) -> str:
    page = await (await client.get("/console/login")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = await client.post("/console/login", allow_redirects=False, data={
        "csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status == 302
    home = await (await client.get("/console")).text()
    return re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)


async def transcript(client: TestClient, handover_id: int) -> list[tuple[str, str]]:
    response = await client.get(f"/console/api/handover/{handover_id}/transcript")
    assert response.status == 200, await response.text()
    return [(m["who"], m["text"]) for m in (await response.json())["messages"]]


async def wait_for(condition, timeout: float = 10):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(condition)
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_handover_while_staffed_from_request_to_closed_case(stack: RasaStack) -> None:
    facts = get_facts(ROOT / "config")
    handover = HandoverService(db_url(stack))
    username = agent_account(stack)

    async def scenario() -> None:
        resident = await Resident(stack.url).connect()
        bystander = await Resident(stack.url).connect()
        try:
            async with console(stack) as client:
                await resident.say("jag vill prata med en människa")
                queued = await resident.expect_text("i kön")
                assert "kommunvägledare" in queued["text"]
                # The session's notice pushed the diarienummer with it (no polling).
                numbered = await resident.expect(
                    lambda m: "kc_case" in (m.get("custom") or {}), timeout=5)
                pushed_number = numbered["custom"]["kc_case"]
                await resident.say("Det gäller <script>alert('x')</script> mitt bygglov")
                ticket = await wait_for(lambda: handover.active_for_conversation(
                    resident.conversation))
                csrf = await login(client, username)
                headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
                queue = await (await client.get("/console/api/queue")).json()
                assert ticket.id in [q["id"] for q in queue["queue"]]
                taken = await client.post(f"/console/handover/{ticket.id}/take", headers=headers)
                assert taken.status == 200
                await resident.expect_text("Anna från kontaktcenter har anslutit",
                                           timeout=5)
                lines = await transcript(client, ticket.id)
                assert ("invånare", "Det gäller <script>alert('x')</script> mitt bygglov") in lines

                await client.post(f"/console/handover/{ticket.id}/reply", headers=headers,
                                  data={"text": "Hej, jag heter Anna. Vad gäller bygglovet?"})
                pushed = await resident.expect_text("jag heter Anna", timeout=5)
                assert pushed.get("kc_agent") == "Anna"

                await resident.say("Det gäller ett garage på min tomt")
                deadline = time.monotonic() + 30
                while ("invånare", "Det gäller ett garage på min tomt") not in await transcript(
                        client, ticket.id):
                    assert time.monotonic() < deadline, "resident reply never reached the console"
                    await asyncio.sleep(0.1)

                back = await client.post(f"/console/handover/{ticket.id}/handback",
                                         headers=headers)
                assert back.status == 200
                await resident.expect_text("tillbaka hos chattbotten", timeout=5)
                await resident.say("vad har ni för telefonnummer?")
                await resident.expect_text(facts.phone, timeout=30)

                closed = await client.post(f"/console/handover/{ticket.id}/close",
                                           headers=headers)
                assert closed.status == 200
                # Nothing of this conversation reached the other resident's socket.
                assert not any("Anna" in (m.get("text") or "") for m in bystander.received)
                assert not any(m.get("kc_agent") for m in bystander.received)
        finally:
            await resident.sio.disconnect()
            await bystander.sio.disconnect()

        register = Register(db_url(stack))
        case = register.case_for_conversation(resident.conversation)
        assert case is not None and case.status == "closed"
        assert case.diarienummer == pushed_number
        detail = register.get_case(case.diarienummer)
        senders = [(m.sender_role, m.sender_name, m.text) for m in detail.messages]
        roles = {(role, name) for role, name, _ in senders}
        agent = ("kommunvägledare", f"Anna Andersson ({username})")
        assert {("invånare", None), ("chattbot", None), agent} <= roles
        texts_in_case = [text for _, _, text in senders]
        for expected in ("jag vill prata med en människa", "mitt bygglov", "jag heter Anna",
                         "Det gäller ett garage på min tomt", "tillbaka hos chattbotten",
                         "vad har ni för telefonnummer?"):
            assert any(expected in t for t in texts_in_case), expected

    asyncio.run(scenario())


def test_closed_hours_message_form_fills_the_callback_list(weekend_stack: RasaStack) -> None:
    stack = weekend_stack
    sender = f"e2e-closed-{uuid.uuid4().hex[:8]}"

    def say(text: str) -> str:
        return " ".join(r.get("text", "") for r in stack.say(sender, text))

    reply = say("jag vill prata med en människa")
    assert "Just nu finns ingen kommunvägledare" in reply and "Vi öppnar" in reply
    assert texts.ASK_QUESTION in say("ja")
    assert texts.ASK_CONTACT in say("Hur söker jag bygglov för ett garage?")
    assert ASK_AGAIN_EMAIL in say("anna@exempel")
    assert ASK_AGAIN_PHONE in say("123")
    saved = say("ring mig på 070-123 45 67")
    assert "Ditt meddelande är sparat" in saved and "KC-" in saved
    callbacks = [c for c in HandoverService(db_url(stack)).callbacks()
                 if c.conversation_id == sender]
    assert len(callbacks) == 1
    assert callbacks[0].question == "Hur söker jag bygglov för ett garage?"
    assert (callbacks[0].contact_kind, callbacks[0].contact) == ("telefon", "0701234567")
    case = Register(db_url(stack)).case_for_conversation(sender)
    assert case.status == "follow_up" and case.diarienummer == callbacks[0].diarienummer
    # Declining is fine too.
    other = f"e2e-closed-{uuid.uuid4().hex[:8]}"
    stack.say(other, "jag vill prata med en människa")
    assert "Okej" in " ".join(r.get("text", "") for r in stack.say(other, "nej tack"))


def test_nobody_takes_it_in_time_resident_is_told_and_offered_a_message(
        stack: RasaStack) -> None:
    async def scenario() -> None:
        resident = await Resident(stack.url).connect()
        try:
            async with console(stack, timeout=timedelta(seconds=2)):
                await resident.say("jag vill prata med en människa")
                await resident.expect_text("i kön")
                await resident.say("hallå, är det någon där?")
                told = await resident.expect_text("Ingen kommunvägledare har kunnat", timeout=15)
                assert [q["payload"] for q in told["quick_replies"]] == ["/leave_message", "/deny"]
                await resident.say("/leave_message")
                await resident.expect_text(texts.ASK_QUESTION)
        finally:
            await resident.sio.disconnect()
        detail = await wait_for(lambda: Register(db_url(stack)).get_case(
            Register(db_url(stack)).case_for_conversation(resident.conversation).diarienummer))
        assert any("hallå, är det någon där?" in m.text for m in detail.messages)

    asyncio.run(scenario())
