"""Several Rasa servers behind HAProxy, for real (issue 15): `make cluster`'s layout.

50 residents chat at once over socket.io through HAProxy (sticky cookie: about half on
each Rasa server); kommunvägledare answer some of them from the console (through HAProxy,
logged in); a message posted to the server that does NOT hold a resident's socket still
reaches her (Redis client manager). Then one Rasa server is killed (kill -9) while
residents are talking: they reconnect to the other server with the same conversation and
its history, every message is answered (those the dead server had not acknowledged are
sent again), the register ends with every message once and in order, the
diarienummer are unique and consecutive, and nobody is left paused.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import socketio
from sqlalchemy import text
from sqlalchemy.future import create_engine
from yarl import URL

from kontaktcenter.desk.presence import AVAILABLE, Routing
from kontaktcenter.handover import HandoverService
from kontaktcenter.rasa_client import RasaClient
from kontaktcenter.records import Register
from kontaktcenter.staff import StaffDirectory
from tests.cluster.cluster import Cluster, missing_services

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.e2e]
RESIDENTS = 50
HANDED_OVER = 4  # two on each server
PASSWORD = "ett-långt-lösenord-42"
# Every resident message text is unique within its conversation: "once" can be counted.
FIRST = ("hej", "var ligger ni?")
DURING_KILL = "vad har ni för telefonnummer?"
AFTER_KILL = "vilka öppettider har ni?"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    missing = missing_services()
    if missing:
        pytest.fail("Klustertestet kan inte köras / the cluster test cannot run:\n  "
                    + "\n  ".join(missing))
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _cluster_clock(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test reads presence and the register on the cluster's clock, not the system's
    (a year apart when the suite runs under faketime; three days apart on a real clock)."""
    cluster.use_clock(monkeypatch)


async def until(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """Wait for ``condition()`` to be truthy (a bounded deadline, never a bare sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"inte inom {seconds} s / not within {seconds} s: {what}")


class Resident:
    """The web widget's behaviour: reconnects by itself and presents its signed token, and
    sends a message again, with the same delivery id, when its acknowledgement never came
    (kontaktcenter-chat.js)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        # request_timeout: a loaded 2-core machine may take seconds to answer a poll; the
        # client would otherwise drop the connection (and the message being sent).
        self.sio = socketio.AsyncClient(reconnection_delay=0.3, reconnection_delay_max=2,
                                        http_session=self.http, handle_sigint=False,
                                        request_timeout=30)
        self.disconnects = 0
        self.received: list[dict[str, Any]] = []
        self.token: str | None = None
        self.conversations: list[str] = []  # confirmed at each (re)connection
        self.ready = asyncio.Event()
        self.sent: list[str] = []
        self.answered: list[str] = []  # sent messages the bot answered
        self.unacked: dict[str, str] = {}  # delivery id -> text, in the order sent
        self.resent = 0
        self.sio.on("bot_uttered", self.received.append)
        self.sio.on("connect", self._connected)
        self.sio.on("disconnect", self._disconnected)
        self.sio.on("session_confirm", self._confirmed)

    @property
    def conversation(self) -> str:
        return self.conversations[-1]

    def server(self) -> str | None:
        """The Rasa server holding this socket (HAProxy's sticky cookie)."""
        cookie = self.http.cookie_jar.filter_cookies(URL(self.url)).get("kc_server")
        return cookie.value if cookie else None

    async def _connected(self) -> None:
        await self.sio.emit("session_request", {"session_id": self.token})

    async def _disconnected(self, *_: Any) -> None:
        self.disconnects += 1
        self.ready.clear()

    async def _confirmed(self, token: str) -> None:
        self.token = token
        self.conversations.append(token.split(".")[0])
        self.ready.set()
        for delivery, message in list(self.unacked.items()):
            self.resent += 1
            await self._emit(message, delivery)

    async def _emit(self, message: str, delivery: str) -> None:
        # Gone meanwhile: it is sent again after reconnecting.
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            await self.sio.emit("user_uttered", {"message": message, "session_id": self.token,
                                                 "kc_delivery": delivery},
                                callback=lambda *_: self.unacked.pop(delivery, None))

    async def connect(self) -> Resident:
        await self.sio.connect(self.url, transports=["polling"], wait_timeout=20)
        await asyncio.wait_for(self.ready.wait(), 20)
        return self

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.close()

    async def say(self, message: str, answer_within: float = 90) -> bool:
        """Send; True when the bot answered, also when its server died meanwhile and the
        message was sent again to the other one."""
        await asyncio.wait_for(self.ready.wait(), 30)
        seen = len(self.received)
        self.sent.append(message)
        delivery = uuid.uuid4().hex
        self.unacked[delivery] = message
        await self._emit(message, delivery)
        deadline = time.monotonic() + answer_within
        while time.monotonic() < deadline:
            if len(self.received) > seen and any(m.get("text") for m in self.received[seen:]):
                self.answered.append(message)
                return True
            await asyncio.sleep(0.05)
        return False

    async def expect(self, fragment: str, seconds: float = 30) -> dict[str, Any]:
        return await until(
            lambda: next((m for m in self.received if fragment in (m.get("text") or "")), None),
            seconds, f"{fragment!r} hos invånaren")


class Agent:
    """A kommunvägledare in the console, through HAProxy like a browser."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.username = username
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.headers: dict[str, str] = {}

    async def login(self) -> Agent:
        page = await (await self.http.get(f"{self.url}/console/login")).text()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        done = await self.http.post(f"{self.url}/console/login", allow_redirects=False, data={
            "csrf_token": csrf, "username": self.username, "password": PASSWORD})
        assert done.status == 302, await done.text()
        home = await (await self.http.get(f"{self.url}/console")).text()
        token = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)  # type: ignore[union-attr]
        self.headers = {"X-CSRF-Token": token, "Accept": "application/json"}
        return self

    async def post(self, path: str, **data: str) -> None:
        response = await self.http.post(f"{self.url}{path}", headers=self.headers, data=data)
        assert response.status == 200, (path, response.status, await response.text())

    async def close(self) -> None:
        await self.http.close()


def test_two_rasa_servers_behind_haproxy_survive_losing_one(cluster: Cluster) -> None:
    register = Register(cluster.database_url)
    handover = HandoverService(cluster.database_url)
    staff = StaffDirectory(cluster.database_url)
    usernames = [f"kv{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for first, username in zip(("Anna", "Eva"), usernames):
        staff.add(username, f"{first} Andersson", "kommunvägledare", PASSWORD)

    async def scenario() -> tuple[list[Resident], list[Resident]]:
        residents = await asyncio.gather(*(Resident(cluster.url).connect()
                                           for _ in range(RESIDENTS)))
        agents = [await Agent(cluster.url, u).login() for u in usernames]
        for agent in agents:  # a login starts borta: each agent makes herself available
            await agent.post("/console/status", status=AVAILABLE)
        available = {a.username for a in Routing(cluster.database_url).available()}
        assert available == set(usernames), available
        try:
            on = {name: [r for r in residents if r.server() == name] for name in ("rasa1", "rasa2")}
            assert len(on["rasa1"]) >= 10 and len(on["rasa2"]) >= 10, \
                {k: len(v) for k, v in on.items()}

            # 1. Everybody chats at once; every message is answered.
            for message in FIRST:
                answered = await asyncio.gather(*(r.say(message) for r in residents))
                assert all(answered), [(r.conversation, r.server(), r.disconnects, r.received[-3:])
                                       for r, ok in zip(residents, answered) if not ok]

            # 2. A message posted to the server that does NOT hold the socket reaches it.
            for holder, other in (("rasa1", 2), ("rasa2", 1)):
                resident = on[holder][0]
                client = RasaClient(cluster.rasa_url(other), cluster.token)
                try:
                    await client.send_agent_message(resident.conversation,
                                                    f"Via server {other}.", "Anna")
                finally:
                    await client.close()
                pushed = await resident.expect(f"Via server {other}.", 10)
                assert pushed.get("kc_agent") == "Anna"

            # 3. Agents take residents on both servers and answer from the console.
            chosen = on["rasa1"][1:1 + HANDED_OVER // 2] + on["rasa2"][1:1 + HANDED_OVER // 2]
            await asyncio.gather(*(r.say("jag vill prata med en människa") for r in chosen))
            tickets = {}
            for index, resident in enumerate(chosen):
                await resident.expect("i kön")
                ticket = await until(lambda r=resident: handover.active_for_conversation(
                    r.conversation), 20, "överlämningen i kön")
                agent = agents[index % 2]
                await agent.post(f"/console/handover/{ticket.id}/take")
                await agent.post(f"/console/handover/{ticket.id}/reply",
                                 text=f"Hej, det är Anna {index}.")
                got = await resident.expect(f"Hej, det är Anna {index}.", 10)
                assert got.get("kc_agent") in ("Anna", "Eva"), got
                tickets[resident] = (agent, ticket.id)

            # 4. kill -9 one Rasa server while residents are talking. Every message is
            # answered: those the dead server had not acknowledged are sent again to the
            # other one (a socket notices the loss by its failed poll or by the missing
            # pings, up to 45 s; a conversation the dead server was answering stays locked
            # in Redis until its ticket expires, KC_LOCK_LIFETIME_SECONDS, 15 s).
            talkers = [r for r in residents if r not in tickets]
            answers = [asyncio.ensure_future(r.say(DURING_KILL, answer_within=150))
                       for r in talkers]
            await until(lambda: sum(f.done() for f in answers) >= 5, 30, "first answers")
            cluster.kill("rasa1")
            during = await asyncio.gather(*answers)
            victims = on["rasa1"]
            assert all(during), [(r.conversation, r in victims, r.server(), r.disconnects,
                                  r.resent, r.received[-2:])
                                 for r, ok in zip(talkers, during) if not ok]
            assert any(r.resent for r in victims), "no message was in flight at the kill"

            # Everybody on the dead server comes back on the other, same conversation. A
            # socket whose poll was not in flight notices by the missing pings (engine.io:
            # ping interval 25 s + timeout 20 s), as a browser would.
            await until(lambda: all(r.server() == "rasa2" and r.ready.is_set()
                                    and len(r.conversations) > 1 for r in victims), 90,
                        "the killed server's residents reconnected to the other")
            for resident in victims:
                assert len(set(resident.conversations)) == 1, resident.conversations
            await until(lambda: all(r.ready.is_set() for r in residents), 30, "all connected")
            answered = await asyncio.gather(*(r.say(AFTER_KILL, answer_within=150)
                                              for r in talkers))
            assert all(answered), [(r.conversation, r in victims, r.server(), r.disconnects,
                                    r.sent[-2:], r.answered[-2:], r.received[-2:])
                                   for r, ok in zip(talkers, answered) if not ok]

            # The agents go on with their residents, wherever they are now.
            for index, (resident, (agent, ticket_id)) in enumerate(tickets.items()):
                await agent.post(f"/console/handover/{ticket_id}/reply",
                                 text=f"Är du kvar? ({index})")
                await resident.expect(f"Är du kvar? ({index})", 10)
                await agent.post(f"/console/handover/{ticket_id}/handback")
                await resident.expect("tillbaka hos chattbotten", 10)
                await agent.post(f"/console/handover/{ticket_id}/close")
                assert await resident.say(AFTER_KILL), "the bot answers again after handback"
            return residents, victims
        finally:
            for agent in agents:
                await agent.close()
            await asyncio.gather(*(r.close() for r in residents), return_exceptions=True)

    residents, victims = asyncio.run(scenario())

    # History: each conversation's tracker (any server, through HAProxy) holds what the
    # resident saw answered, and nobody is left paused.
    async def trackers() -> list[dict[str, Any]]:
        client = RasaClient(cluster.api_url, cluster.token)
        try:
            return [await client._call("GET", f"/conversations/{r.conversation}/tracker",
                                       {"include_events": "ALL"}) for r in residents]
        finally:
            await client.close()

    committed: dict[Resident, list[str]] = {}
    for resident, tracker in zip(residents, asyncio.run(trackers())):
        said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
        committed[resident] = said
        # Whatever the resident saw answered is kept, also on the killed server: the
        # tracker is saved before an answer is sent (rasa_addons/processor.py).
        assert [m for m in said if m in resident.answered] == resident.answered, (
            resident.conversation, resident in victims, resident.answered, said)
        # Every message sent is kept once: none lost with the dead server, none twice
        # although some were sent twice.
        assert said == resident.sent, (resident.conversation, resident in victims,
                                       resident.sent, said)
        assert tracker.get("paused") is False, resident.conversation

    # The register: exactly what the trackers committed, each message once, in order (the
    # killed server's spool is written when its supervisor has restarted it; a message it
    # had spooled and the other server took again is one record, keyed by its delivery id).
    engine = create_engine(cluster.database_url, future=True)

    def registered(resident: Resident) -> list[str]:
        """The resident's messages in all her ärenden (a closed handover opens a new one)."""
        with engine.connect() as connection:
            numbers = connection.execute(text(
                "SELECT diarienummer FROM cases WHERE conversation_id = :c ORDER BY seq"),
                {"c": resident.conversation}).scalars().all()
        texts = []
        for number in numbers:
            detail = register.get_case(number)
            texts += [m.text for m in detail.messages if m.sender_role == "invånare"] if detail else []
        return texts

    def complete(resident: Resident) -> bool:
        kept = registered(resident)
        return all(m in kept for m in committed[resident])

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if all(complete(r) for r in residents):
            break
        time.sleep(1)
    for resident in residents:
        kept = registered(resident)
        # Every message sent is registered, each once, in the order sent.
        assert kept == committed[resident] == resident.sent, (
            resident.conversation, resident in victims, kept, committed[resident],
            cluster.log("rasa1-console.log"))

    with engine.connect() as connection:
        numbers = connection.execute(text("SELECT seq FROM cases ORDER BY seq")).scalars().all()
        conversations = connection.execute(
            text("SELECT count(DISTINCT conversation_id) FROM cases")).scalar_one()
    engine.dispose()
    assert numbers == list(range(1, len(numbers) + 1)), numbers  # unique and consecutive
    assert conversations == RESIDENTS
