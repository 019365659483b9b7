"""Console: internal notes on an ärende and the snabbsvar page (fake Rasa, real register)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from test_console import FakeRasa, login, run

from kontaktcenter.desk.canned import CannedResponses
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
