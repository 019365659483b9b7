"""Console: internal notes on an ärende and the snabbsvar page (fake Rasa, real register)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun import freeze_time
from test_console import PASSWORD, FakeRasa, login, run, token_in

from kontaktcenter.clock import now_utc
from kontaktcenter.desk.canned import CannedResponses
from kontaktcenter.desk.presence import Routing
from kontaktcenter.handover import HandoverService
from kontaktcenter.records import get_register
from kontaktcenter.staff import StaffDirectory

NEW_ROUTES = [
    ("POST", "/console/cases/KC-2026-000001/notes"),
    ("POST", "/console/handover/1/notes"),
    ("GET", "/console/snabbsvar"),
    ("POST", "/console/snabbsvar"),
    ("POST", "/console/snabbsvar/1"),
    ("POST", "/console/snabbsvar/1/remove"),
    ("GET", "/console/status"),
    ("POST", "/console/status"),
    ("GET", "/console/team"),
]


def test_the_new_routes_refuse_anonymous_requests(tmp_path: Path) -> None:
    async def scenario(client: TestClient, *_: Any) -> None:
        for method, path in NEW_ROUTES:
            response = await client.request(method, path, allow_redirects=False)
            assert response.status == (302 if method == "GET" else 401), path

    run(tmp_path, scenario)


def test_notes_from_the_conversation_and_the_case_page_never_reach_the_resident(
    tmp_path: Path,
) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        case = register.open_case("conv-a", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
        hid = handover.request("conv-a", diarienummer=case.diarienummer).handover.id
        csrf = await login(client)
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        await client.post(f"/console/handover/{hid}/take", headers=headers)
        posted_before = len(rasa.posted)
        saved = await client.post(f"/console/handover/{hid}/notes", headers=headers,
                                  data={"text": "Invånaren vill bli uppringd på 070-123 45 67."})
        assert saved.status == 200, await saved.text()
        assert len(rasa.posted) == posted_before  # nothing went to the resident
        page = await (await client.get(f"/console/handover/{hid}")).text()
        assert "Interna anteckningar" in page and "Anna Andersson (anna)" in page
        assert "uppringd på [telefonnummer borttaget]" in page
        # From the case page, as a plain form post (no JavaScript), back to the page.
        form = await client.post(f"/console/cases/{case.diarienummer}/notes",
                                 data={"csrf_token": csrf, "text": "Ärendet <b>klart</b>."},
                                 allow_redirects=False)
        assert form.status == 303
        assert form.headers["Location"] == f"/console/cases/{case.diarienummer}#anteckningar"
        case_page = await (await client.get(f"/console/cases/{case.diarienummer}")).text()
        assert "Ärendet &lt;b&gt;klart&lt;/b&gt;." in case_page
        notes = register.notes(case.diarienummer)
        assert [n.author for n in notes] == ["Anna Andersson (anna)"] * 2
        # Bad input: a polite Swedish answer, nothing stored.
        empty = await client.post(f"/console/cases/{case.diarienummer}/notes", headers=headers,
                                  data={"text": "  "})
        assert empty.status == 400 and "Skriv anteckningen" in (await empty.json())["error"]
        missing = await client.post("/console/cases/KC-2026-999999/notes", headers=headers,
                                    data={"text": "x"})
        assert missing.status == 400 and "finns inte" in (await missing.json())["error"]
        nonsense = await client.post("/console/cases/nonsens/notes", headers=headers,
                                     data={"text": "x"})
        assert nonsense.status == 404
        assert len(register.notes(case.diarienummer)) == 2

    run(tmp_path, scenario)


def test_only_the_agent_handling_the_conversation_writes_notes_there(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        register = get_register(str(handover.db.url))
        case = register.open_case("conv-b", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
        hid = handover.request("conv-b", diarienummer=case.diarienummer).handover.id
        handover.take(hid, "bo", "Bo Berg")
        csrf = await login(client)  # anna
        refused = await client.post(f"/console/handover/{hid}/notes",
                                    data={"csrf_token": csrf, "text": "x"})
        assert refused.status == 403
        absent = await client.post("/console/handover/9999/notes",
                                   data={"csrf_token": csrf, "text": "x"})
        assert absent.status == 404
        assert register.notes(case.diarienummer) == []

    run(tmp_path, scenario)


def test_snabbsvar_page_adds_changes_removes_and_feeds_the_reply_box(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        csrf = await login(client)
        added = await client.post("/console/snabbsvar", allow_redirects=False, data={
            "csrf_token": csrf, "shortcut": "oppet", "text": "Vi har öppet 8–17."})
        assert added.status == 303 and added.headers["Location"] == "/console/snabbsvar"
        bad = await client.post("/console/snabbsvar", data={
            "csrf_token": csrf, "shortcut": "två ord", "text": "<i>behålls</i>"})
        body = await bad.text()
        assert bad.status == 400 and "Kortordet" in body
        assert "&lt;i&gt;behålls&lt;/i&gt;" in body  # the draft is kept, escaped
        [item] = CannedResponses(handover.db).list()
        assert item.updated_by == "Anna Andersson (anna)"
        page = await (await client.get("/console/snabbsvar")).text()
        assert "Vi har öppet 8–17." in page and 'href="/console/snabbsvar"' in page
        changed = await client.post(f"/console/snabbsvar/{item.id}", allow_redirects=False,
                                    data={"csrf_token": csrf, "shortcut": "oppet",
                                          "text": "Vi har öppet 8–16."})
        assert changed.status == 303
        ticket = handover.request("conv-c")
        hid = ticket.handover.id
        await client.post(f"/console/handover/{hid}/take",
                          headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
        conversation = await (await client.get(f"/console/handover/{hid}")).text()
        assert re.search(r'<option value="oppet" data-text="Vi har öppet 8–16.">', conversation)
        assert "autofocus" in conversation and "Skift+Enter" in conversation
        removed = await client.post(f"/console/snabbsvar/{item.id}/remove",
                                    allow_redirects=False, data={"csrf_token": csrf})
        assert removed.status == 303 and CannedResponses(handover.db).list() == []
        gone = await client.post(f"/console/snabbsvar/{item.id}/remove",
                                 data={"csrf_token": csrf})
        assert gone.status == 404 and "finns inte" in await gone.text()

    run(tmp_path, scenario)


def test_presence_is_set_in_the_console_and_decides_transfer_targets(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        routing = Routing(handover.db)
        staff.add("cia", "Cia Carlsson", "kommunvägledare", PASSWORD)  # never available
        register = get_register(str(handover.db.url))
        case = register.open_case("conv-t", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
        ticket = handover.request("conv-t", diarienummer=case.diarienummer)
        hid = ticket.handover.id
        csrf = await login(client)
        assert routing.status_of("anna") == "away"
        page = await (await client.get("/console/status")).text()
        assert "Du är <strong>borta</strong>" in page
        saved = await client.post("/console/status", allow_redirects=False,
                                  data={"csrf_token": csrf, "status": "available"})
        assert saved.status == 303 and routing.status_of("anna") == "available"
        bad = await client.post("/console/status", data={"csrf_token": csrf, "status": "x"})
        assert bad.status == 400 and "Välj tillgänglig" in await bad.text()
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        await client.post(f"/console/handover/{hid}/take", headers=headers)
        queue = await (await client.get("/console/api/queue")).json()
        assert queue["colleagues"] == [{"username": "bo", "name": "Bo Berg"}]
        refused = await client.post(f"/console/handover/{hid}/transfer", headers=headers,
                                    data={"to": "cia", "note": "x"})
        assert refused.status == 400 and register.notes(case.diarienummer) == []
        routing.set_status("bo", "busy")  # bo is no longer a target
        gone = await client.post(f"/console/handover/{hid}/transfer", headers=headers,
                                 data={"to": "bo"})
        assert gone.status == 400
        # Back to the queue with a note; the resident keeps the original queue time.
        moved = await client.post(f"/console/handover/{hid}/transfer", headers=headers,
                                  data={"to": "", "note": "Gäller bygglov, ring 070-123 45 67"})
        assert moved.status == 200, await moved.text()
        info = handover.get(hid)
        assert (info.status, info.queued_at) == ("queued", ticket.handover.queued_at)
        [note] = register.notes(case.diarienummer)
        assert note.author == "Anna Andersson (anna)"
        assert note.text == "Överlämning: Gäller bygglov, ring [telefonnummer borttaget]"

    run(tmp_path, scenario)


def test_the_team_lead_sees_presence_queue_and_chats_per_agent(tmp_path: Path) -> None:
    async def scenario(client: TestClient, rasa: FakeRasa, handover: HandoverService,
                       staff: StaffDirectory) -> None:
        staff.add("tove", "Tove Teamledare", "teamledare", PASSWORD)
        routing = Routing(handover.db)
        asked = now_utc() - timedelta(minutes=12, seconds=10)  # sessions use the real clock
        with freeze_time(asked):
            taken = handover.request("conv-1")
            handover.request("conv-2")
        with freeze_time(asked + timedelta(minutes=5)):
            handover.request("conv-3")
        handover.take(taken.handover.id, "anna", "Anna Andersson")
        await login(client)  # anna: not a team lead
        refused = await client.get("/console/team")
        assert refused.status == 403 and "teamledare" in await refused.text()
        assert "/console/team" not in await (await client.get("/console")).text()
        await client.post("/console/logout", data={
            "csrf_token": token_in(await (await client.get("/console")).text())})
        # Anna at her own desk: logged in and tillgänglig (logging out made her borta).
        anna = staff.get("anna")
        assert anna is not None
        staff.create_session(anna)
        assert routing.status_of("anna") == "away"
        routing.set_status("anna", "available")
        await login(client, "tove")
        page = await client.get("/console/team")
        html = await page.text()
        assert page.status == 200 and 'href="/console/team"' in html
        assert '<dd id="queue-length">2</dd>' in html
        assert '<dd id="longest-wait">12 min</dd>' in html
        rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
        assert rows == [
            ("Anna Andersson (anna)", "tillgänglig", "1 av 3"),
            ("Bo Berg (bo)", "tillgänglig", "0 av 3"),
            ("Tove Teamledare (tove)", "borta", "0 av 3"),
        ]

    run(tmp_path, scenario)
