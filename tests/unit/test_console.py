"""The staff console: login, sessions, CSRF, access control, handover moves (fake Rasa)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jwt
from aiohttp import CookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from kontaktcenter.console.state import STATE_KEY
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.desk.presence import AVAILABLE, Routing
from kontaktcenter.handover import HandoverService
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory, accounts
from kontaktcenter.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ett-långt-lösenord-42"
TOKEN = "rasa-test-token"


class FakeRasa:
    """Just enough of the Rasa HTTP API; refuses calls without the token."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, str], Any]] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.app = web.Application()
        self.app.router.add_post("/conversations/{id}/tracker/events", self.post_events)
        self.app.router.add_get("/conversations/{id}/tracker", self.tracker)
        # The web chat channel's signal route (typing, queue place): rasa_addons/socketio_channel.py
        self.signals: list[dict[str, Any]] = []
        self.app.router.add_post("/webhooks/socketio/kc/signal", self.signal)

    def _check(self, request: web.Request) -> None:
        """As Rasa started with the token as JWT secret: a signed admin Bearer JWT only."""
        assert "token" not in request.query  # never in a URL
        scheme, _, signed = request.headers.get("Authorization", "").partition(" ")
        try:
            claims = jwt.decode(signed, TOKEN, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise web.HTTPUnauthorized() from None
        if scheme != "Bearer" or claims.get("user", {}).get("role") != "admin":
            raise web.HTTPUnauthorized()

    async def post_events(self, request: web.Request) -> web.Response:
        self._check(request)
        body = await request.json()
        self.posted.append((request.match_info["id"], dict(request.query), body))
        self.events.setdefault(request.match_info["id"], []).extend(body)
        return web.json_response({"events": body})

    async def signal(self, request: web.Request) -> web.Response:
        self._check(request)
        self.signals.append(await request.json())
        return web.json_response({"ok": True})

    async def tracker(self, request: web.Request) -> web.Response:
        self._check(request)
        return web.json_response({"events": self.events.get(request.match_info["id"], [])})


Scenario = Callable[[TestClient, FakeRasa, HandoverService, StaffDirectory], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, **settings_extra: Any) -> None:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    staff = StaffDirectory(url)
    staff.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    staff.add("bo", "Bo Berg", "kommunvägledare", PASSWORD)
    # Chats are transferred only to available agents who are logged in.
    bo = staff.get("bo")
    assert bo is not None
    staff.create_session(bo)
    Routing(url).set_status("bo", AVAILABLE)
    handover = HandoverService(url)

    async def main() -> None:
        rasa = FakeRasa()
        rasa_server = TestServer(rasa.app)
        await rasa_server.start_server()
        settings = Settings(root=ROOT, var_dir=tmp_path, config_dir=ROOT / "config",
                            database_url=url, rasa_url=str(rasa_server.make_url("")),
                            rasa_token=TOKEN, **settings_extra)
        client = TestClient(TestServer(create_app(settings)), cookie_jar=CookieJar(unsafe=True))
        await client.start_server()
        try:
            await scenario(client, rasa, handover, staff)
        finally:
            await client.close()
            await rasa_server.close()

    asyncio.run(main())


def token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, html[:500]
    return match.group(1)


async def login(client: TestClient, username: str = "anna", password: str = PASSWORD) -> str:
    page = await client.get("/console/login")
    form = {"csrf_token": token_in(await page.text()), "username": username, "password": password}
    response = await client.post("/console/login", data=form, allow_redirects=False)
    assert response.status == 302, await response.text()
    home = await client.get("/console")
    assert home.status == 200
    return token_in(await home.text())


ROUTES = [
    ("GET", "/console"),
    ("GET", "/console/api/queue"),
    ("GET", "/console/handover/1"),
    ("GET", "/console/api/handover/1/transcript"),
    ("POST", "/console/handover/1/take"),
    ("POST", "/console/handover/1/reply"),
    ("POST", "/console/handover/1/handback"),
    ("POST", "/console/handover/1/transfer"),
    ("POST", "/console/handover/1/close"),
    ("GET", "/console/callbacks"),
    ("POST", "/console/callbacks/1/handled"),
    ("GET", "/console/cases"),
    ("GET", "/console/cases/KC-2026-000001"),
    ("POST", "/console/cases/KC-2026-000001/original"),
    ("POST", "/console/cases/KC-2026-000001/export"),
    ("GET", "/console/hours"),
    ("POST", "/console/hours"),
    ("POST", "/console/hours/2026-12-01/remove"),
    ("POST", "/console/logout"),
]


def test_every_console_route_refuses_anonymous_requests(tmp_path: Path) -> None:
    async def scenario(client: TestClient, *_: Any) -> None:
        for method, path in ROUTES:
            response = await client.request(method, path, allow_redirects=False)
            if method == "GET" and "/api/" not in path:
                assert response.status == 302, path
                assert response.headers["Location"] == "/console/login"
            else:
                assert response.status == 401, path
        # A made-up session cookie is no better.
        client.session.cookie_jar.update_cookies({"kc_console": "forged"})
        response = await client.get("/console/api/queue")
        assert response.status == 401

    run(tmp_path, scenario)


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(tmp_path: Path) -> None:
    async def scenario(client: TestClient, *_: Any) -> None:
        page = await client.get("/console/login")
        form = {"csrf_token": token_in(await page.text()), "username": "anna",
                "password": PASSWORD}
        response = await client.post("/console/login", data=form, allow_redirects=False)
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
        home = await client.get("/console")
        assert "Anna Andersson" in await home.text()
        assert "no-store" in home.headers["Cache-Control"]
        assert "script-src 'self'" in home.headers["Content-Security-Policy"]
        csrf = token_in(await home.text())
        await client.post("/console/logout", data={"csrf_token": csrf}, allow_redirects=False)
        assert (await client.get("/console/api/queue")).status == 401

    run(tmp_path, scenario)


def test_login_without_its_token_or_with_a_wrong_password_fails(tmp_path: Path) -> None:
    async def scenario(client: TestClient, *_: Any) -> None:
        forged = await client.post("/console/login",
                                   data={"username": "anna", "password": PASSWORD})
        assert forged.status == 403
        page = await client.get("/console/login")
        wrong = await client.post("/console/login", data={
            "csrf_token": token_in(await page.text()), "username": "anna", "password": "fel"})
        assert wrong.status == 401
        assert "Fel användarnamn eller lösenord." in await wrong.text()

    run(tmp_path, scenario)


def test_state_changes_without_csrf_token_are_refused(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        ticket = handover.request("conv-a", concern="Bygglov")
        csrf = await login(client)
        for path in (f"/console/handover/{ticket.handover.id}/take", "/console/hours",
                     "/console/logout"):
            response = await client.post(path, data={"day": "2026-12-01"})
            assert response.status == 403, path
            response = await client.post(path, data={"csrf_token": "wrong"},
                                         headers={"X-CSRF-Token": "also-wrong"})
            assert response.status == 403, path
        assert handover.get(ticket.handover.id).status == "queued"
        response = await client.post(f"/console/handover/{ticket.handover.id}/take",
                                     data={"csrf_token": csrf}, allow_redirects=False)
        assert response.status == 303

    run(tmp_path, scenario)


def test_take_reply_hand_back_through_the_rasa_api(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        ticket = handover.request("conv-a", concern="Bygglov")
        other = handover.request("conv-b", concern="Parkering")
        csrf = await login(client)
        queue = await (await client.get("/console/api/queue")).json()
        assert [q["concern"] for q in queue["queue"]] == ["Bygglov", "Parkering"]
        assert queue["colleagues"] == [{"username": "bo", "name": "Bo Berg"}]
        hid = ticket.handover.id
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        assert (await client.post(f"/console/handover/{hid}/take", headers=headers)).status == 200
        # Not taken: another resident's conversation cannot be read or written to.
        for method, path in [("GET", f"/console/api/handover/{other.handover.id}/transcript"),
                             ("GET", f"/console/handover/{other.handover.id}"),
                             ("POST", f"/console/handover/{other.handover.id}/reply")]:
            response = await client.request(method, path, headers=headers, data={"text": "x"})
            assert response.status == 403, path
        rasa.events["conv-a"] = [{"event": "user", "text": "<b>hej</b>", "timestamp": 1.0}]
        reply = await client.post(f"/console/handover/{hid}/reply", headers=headers,
                                  data={"text": "Hej! Jag heter Anna."})
        assert reply.status == 200
        conversation, query, body = rasa.posted[-1]
        assert conversation == "conv-a"
        assert query["execute_side_effects"] == "true" and query["output_channel"] == "socketio"
        assert body == [{"event": "bot", "text": "Hej! Jag heter Anna.",
                         "metadata": {"kc_agent": "Anna", "kc_agent_name": "Anna Andersson",
                                      "kc_agent_username": "anna"}}]
        transcript = await (await client.get(f"/console/api/handover/{hid}/transcript")).json()
        assert [(m["who"], m["text"]) for m in transcript["messages"]] == [
            ("invånare", "<b>hej</b>"),
            ("kommunvägledare Anna Andersson (anna)", "Hej! Jag heter Anna.")]
        back = await client.post(f"/console/handover/{hid}/handback", headers=headers)
        assert back.status == 200
        kinds = [e["event"] for _, _, body in rasa.posted[-2:] for e in body]
        assert kinds == ["resume", "action", "bot"]
        assert handover.get(hid).status == "back_to_bot"
        closed = await client.post(f"/console/handover/{hid}/close", headers=headers)
        assert closed.status == 200 and handover.get(hid).status == "closed"

    run(tmp_path, scenario)


def test_transfer_to_a_named_colleague(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        ticket = handover.request("conv-a")
        handover.take(ticket.handover.id, "anna", "Anna")
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        bad = await client.post(f"/console/handover/{ticket.handover.id}/transfer",
                                headers=headers, data={"to": "nobody"})
        assert bad.status == 400
        moved = await client.post(f"/console/handover/{ticket.handover.id}/transfer",
                                  headers=headers, data={"to": "bo"})
        assert moved.status == 200
        info = handover.get(ticket.handover.id)
        assert (info.status, info.assigned_to) == ("queued", "bo")
        assert info.queued_at == ticket.handover.queued_at  # keeps its place and timeout
        assert len(handover.queue("anna")) == 1 and len(handover.queue("bo")) == 1

    run(tmp_path, scenario)


def test_opening_hour_exceptions_and_callbacks_pages(tmp_path: Path, kc_now) -> None:
    kc_now("2026-11-27T10:00")  # the dates below must lie within the allowed window
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        from kontaktcenter.handover import parse_contact

        csrf = await login(client)
        saved = await client.post("/console/hours", data={
            "csrf_token": csrf, "day": "2026-12-23", "opens": "08.00", "closes": "15.00",
            "note": "Kortare dag"})
        saved_page = await saved.text()
        assert saved.status == 200 and "2026-12-23" in saved_page
        assert "Anna Andersson (anna)" in saved_page  # the exception records its author
        repository = client.server.app[STATE_KEY].calendar.repository
        entry = repository.entries(date(2026, 12, 23), date(2026, 12, 23))[0]
        assert (entry.created_by, entry.updated_by) == ("Anna Andersson (anna)",) * 2
        bad = await client.post("/console/hours", data={
            "csrf_token": csrf, "day": "2026-02-31", "opens": "08.00", "closes": "15.00"})
        assert bad.status == 400 and "ÅÅÅÅ-MM-DD" in await bad.text()
        removed = await client.post("/console/hours/2026-12-23/remove",
                                    data={"csrf_token": csrf})
        assert "borttagen" in await removed.text()
        left = handover.leave_callback("conv-x", "<script>alert(1)</script>",
                                       parse_contact("070-123 45 67"))
        page = await (await client.get("/console/callbacks")).text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
        done = await client.post(f"/console/callbacks/{left.id}/handled",
                                 data={"csrf_token": csrf, "note": "Ringt"},
                                 allow_redirects=False)
        assert done.status == 303 and handover.callbacks() == []

    run(tmp_path, scenario)


LIVE_EVENTS = [
    {"event": "user", "text": "mitt personnummer är 19900101-0017, ring 0701234567",
     "timestamp": 1_780_000_000},
    {"event": "bot", "text": "Ring oss på 042-10 50 00.", "timestamp": 1_780_000_001},
    {"event": "bot", "text": "Skriv till anna.a@example.se",
     "metadata": {"kc_agent": "Anna", "kc_agent_name": "Anna Andersson",
                  "kc_agent_username": "anna"},
     "timestamp": 1_780_000_002},
]


def test_live_transcript_is_masked_like_the_register() -> None:
    from kontaktcenter.console.views_handover import transcript_entries
    from kontaktcenter.records.rasa_events import messages_of

    entries = transcript_entries(messages_of(LIVE_EVENTS, "conv"))
    assert "19900101" not in entries[0]["text"] and "0701234567" not in entries[0]["text"]
    assert "[personnummer borttaget]" in entries[0]["text"]
    assert entries[1]["text"] == "Ring oss på 042-10 50 00."
    assert "example.se" not in entries[2]["text"]
    assert entries[2]["who"] == "kommunvägledare Anna Andersson (anna)"


def test_handling_agent_sees_the_residents_own_text_and_the_view_is_audited(
    tmp_path: Path,
) -> None:
    """Issue 12: the agent must see the phone number to call back; others see it masked."""
    from kontaktcenter.records import get_register
    from kontaktcenter.records.audit import list_audit

    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        case = register.open_case("conv-a", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
        ticket = handover.request("conv-a", diarienummer=case.diarienummer)
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        hid = ticket.handover.id
        assert (await client.post(f"/console/handover/{hid}/take", headers=headers)).status == 200
        rasa.events["conv-a"] = list(LIVE_EVENTS)
        body = await (await client.get(f"/console/api/handover/{hid}/transcript")).json()
        assert "0701234567" in body["messages"][0]["text"] and body["messages"][0]["unmasked"]
        assert "anna.a@example.se" in body["messages"][2]["text"]
        reads = [e for e in list_audit(register.db) if e.action == "läsning av original"]
        assert [(e.actor, e.diarienummer) for e in reads] == [("anna", case.diarienummer)]
        await client.get(f"/console/api/handover/{hid}/transcript")  # nothing new shown
        assert len([e for e in list_audit(register.db)
                    if e.action == "läsning av original"]) == 1
        # The register keeps the masked text only (the original apart).
        register.record_event({"sender_id": "conv-a", **LIVE_EVENTS[0],
                               "timestamp": case.registered_at.timestamp() + 1})
        detail = register.get_case(case.diarienummer)
        assert "0701234567" not in detail.messages[0].text

    run(tmp_path, scenario)


def test_close_after_hand_back_works_from_the_conversation_page(tmp_path: Path) -> None:
    """Issue 12: after "Lämna tillbaka" the agent can still close; the row is cleared."""
    from kontaktcenter.records import get_register

    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        case = register.open_case("conv-a", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
        hid = handover.request("conv-a", diarienummer=case.diarienummer).handover.id
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        await client.post(f"/console/handover/{hid}/take", headers=headers)
        # The resident is told who took over.
        assert rasa.posted[-1][2] == [{"event": "bot", "text": (
            "Anna från kontaktcenter har anslutit och svarar dig här.")}]
        await client.post(f"/console/handover/{hid}/handback", headers=headers)
        page = await client.get(f"/console/handover/{hid}")
        assert page.status == 200 and "Avsluta ärende" in await page.text()
        mine = (await (await client.get("/console/api/queue")).json())["mine"]
        assert [m["id"] for m in mine] == [hid]
        closed = await client.post(f"/console/handover/{hid}/close", headers=headers)
        assert closed.status == 200, await closed.text()
        assert handover.get(hid).status == "closed"
        assert register.get_case(case.diarienummer).case.status == "closed"
        assert (await (await client.get("/console/api/queue")).json())["mine"] == []
        missing = await client.post("/console/handover/9999/close", headers=headers)
        assert missing.status == 404

    run(tmp_path, scenario)


def test_transfer_lists_only_active_agents_and_console_slash_works(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        staff.add("rut", "Rut Registrator", "registrator", PASSWORD)
        staff.add("lars", "Lars Låst", "kommunvägledare", PASSWORD)
        staff.add("vera", "Vera Avstängd", "kommunvägledare", PASSWORD)
        staff.disable("vera")
        for _ in range(accounts.MAX_FAILURES + 1):  # locked (security: 100 failures)
            staff.authenticate("lars", "fel lösenord")
        ticket = handover.request("conv-a")
        handover.take(ticket.handover.id, "anna", "Anna Andersson")
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        queue = await (await client.get("/console/api/queue")).json()
        assert queue["colleagues"] == [{"username": "bo", "name": "Bo Berg"}]
        for target in ("rut", "lars", "vera"):
            refused = await client.post(f"/console/handover/{ticket.handover.id}/transfer",
                                        headers=headers, data={"to": target})
            assert refused.status == 400, target
        slash = await client.get("/console/")
        assert slash.status == 200 and str(slash.url).endswith("/console")

    run(tmp_path, scenario)


def test_the_agent_is_told_when_the_resident_leaves(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        hid = handover.request("conv-a").handover.id
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        await client.post(f"/console/handover/{hid}/take", headers=headers)
        rasa.events["conv-a"] = [{"event": "session_started", "timestamp": 1.0},
                                 {"event": "user", "text": "hej", "timestamp": 2.0}]
        body = await (await client.get(f"/console/api/handover/{hid}/transcript")).json()
        assert body["resident_left"] is False and body["notice"] == ""
        rasa.events["conv-a"].append({"event": "restart", "timestamp": 3.0})
        body = await (await client.get(f"/console/api/handover/{hid}/transcript")).json()
        assert body["resident_left"] is True and "lämnat samtalet" in body["notice"]

    run(tmp_path, scenario)
