"""kontaktcenter.web.site: routes, headers, the case endpoint, and what the files may not do."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from kontaktcenter.conversation_token import ConversationTokens
from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.facts import get_facts
from kontaktcenter.records import get_register
from kontaktcenter.records.satisfaction import satisfaction_for
from kontaktcenter.settings import Settings
from kontaktcenter.web import site
from kontaktcenter.web.app import SETTINGS_KEY, security_headers, socket_sources
from tests.records_events import ev, make_register

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "kontaktcenter" / "web" / "static"
RASA_PUBLIC = "https://chatt.example.se"


def make_settings(database_url: str = "sqlite://") -> Settings:
    return replace(
        Settings.from_env({"KC_HOME": str(ROOT)}),
        database_url=database_url,
        rasa_public_url=RASA_PUBLIC,
    )


def run(settings: Settings, check: Callable[[TestClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        app = web.Application(middlewares=[security_headers])
        app[SETTINGS_KEY] = settings
        site.setup(app)
        async with TestClient(TestServer(app)) as client:
            return await check(client)

    return asyncio.run(main())


def test_sample_page_has_strict_csp_and_no_inline_code() -> None:
    async def check(client: TestClient) -> tuple[int, dict, str]:
        resp = await client.get("/")
        return resp.status, dict(resp.headers), await resp.text()

    status, headers, body = run(make_settings(), check)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self';" in csp
    # Rasa's socket.io, by polling and by websocket (Chromium: http: does not cover ws:).
    assert f"{RASA_PUBLIC} wss://chatt.example.se" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    # No inline script, no style attributes or event handlers in the markup.
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", body))
    assert all(not code.strip() for code in re.findall(r"<script\b[^>]*>(.*?)</script>", body, re.S))
    assert not re.search(r"\sstyle\s*=", body)
    assert not re.search(r"\son[a-z]+\s*=", body, re.I)
    assert "<style" not in body
    assert '<script src="/widget/kontaktcenter-chat.js" defer></script>' in body
    facts = get_facts(ROOT / "config")
    assert facts.phone in body and facts.privacy_url in body
    assert 'lang="sv"' in body


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget/kontaktcenter-chat.js", "text/javascript"),
        ("/widget/kontaktcenter-chat.css", "text/css"),
        ("/widget/socket.io.min.js", "text/javascript"),
        ("/assets/site.css", "text/css"),
    ],
)
def test_widget_files_are_served(path: str, content_type: str) -> None:
    async def check(client: TestClient) -> tuple[int, str, int]:
        resp = await client.get(path)
        return resp.status, resp.headers["Content-Type"], len(await resp.read())

    status, ctype, size = run(make_settings(), check)
    assert status == 200 and ctype.startswith(content_type) and size > 100


@pytest.mark.parametrize(
    "path",
    ["/widget/index.html", "/widget/..%2Fsite.py", "/widget/vendor%2Fsocket.io.min.js",
     "/assets/kontaktcenter-chat.js", "/widget/"],
)
def test_only_listed_files_are_served(path: str) -> None:
    async def check(client: TestClient) -> int:
        return (await client.get(path)).status

    assert run(make_settings(), check) == 404


def test_config_json_has_contact_facts_and_socket_url() -> None:
    async def check(client: TestClient) -> tuple[int, dict, dict]:
        resp = await client.get("/widget/config.json")
        return resp.status, dict(resp.headers), await resp.json()

    status, headers, body = run(make_settings(), check)
    facts = get_facts(ROOT / "config")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body == {
        "socketUrl": RASA_PUBLIC,
        "socketPath": "/socket.io",
        "contactName": facts.name,
        "phone": facts.phone,
        "phoneHref": "tel:" + facts.phone_e164,
        "privacyUrl": facts.privacy_url,
        "privacyText": facts.privacy_text,
        "accessibilityUrl": "http://localhost:8080/tillganglighet",
    }


@pytest.fixture
def migrated_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    yield url
    get_database(url).dispose()


SECRET = "case-test-secret"
TOKENS = ConversationTokens(SECRET)


def with_secret(settings: Settings) -> Settings:
    return replace(settings, conversation_secret=SECRET)


def test_case_endpoint_returns_only_the_diarienummer(migrated_url: str) -> None:
    conversation = uuid.uuid4().hex
    case = get_register(migrated_url).open_case(
        conversation, datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc), "socketio"
    )

    async def check(client: TestClient) -> list[tuple[int, dict, str]]:
        out = []
        for conv in (conversation, uuid.uuid4().hex):
            resp = await client.post("/widget/case", data=TOKENS.issue(conv),
                                     headers={"Content-Type": "text/plain"})
            out.append((resp.status, await resp.json(), resp.headers["Cache-Control"]))
        return out

    settings = with_secret(make_settings(migrated_url))
    (status, body, cache), (other_status, other, _) = run(settings, check)
    assert status == 200 and body == {"diarienummer": case.diarienummer}
    assert cache == "no-store"
    assert other_status == 200 and other == {"diarienummer": None}


def test_a_bare_conversation_id_no_longer_reveals_the_case(migrated_url: str) -> None:
    conversation = uuid.uuid4().hex
    get_register(migrated_url).open_case(
        conversation, datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc), "socketio")

    async def check(client: TestClient) -> list[int]:
        bare = await client.post("/widget/case", data=conversation)
        forged = await client.post(
            "/widget/case", data=ConversationTokens("other").issue(conversation))
        old_style = await client.get("/widget/case", params={"conversation": conversation})
        return [bare.status, forged.status, old_style.status]

    # GET now falls through to the widget files: "no such file".
    assert run(with_secret(make_settings(migrated_url)), check) == [400, 400, 404]


@pytest.mark.parametrize(
    "token",
    ["", "abc", "../../etc", "A" * 32, "0" * 31, "0" * 33, "' OR 1=1 --", "x" * 2000,
     "0" * 32 + ".", "\ud800"],
    ids=["empty", "short", "path", "upper", "31", "33", "sql", "long", "nosig", "surrogate"],
)
def test_case_endpoint_refuses_tokens_it_never_issued(token: str) -> None:
    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.post("/widget/case", data=token.encode("utf-8", "surrogatepass"))
        return resp.status, await resp.json()

    status, body = run(with_secret(make_settings()), check)
    assert status == 400 and body == {"error": "Ogiltigt samtals-id."}


def test_case_endpoint_says_so_politely_when_the_register_is_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'kc.db'}"

    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.post("/widget/case", data=TOKENS.issue(uuid.uuid4().hex))
        return resp.status, await resp.json()

    status, body = run(with_secret(make_settings(url)), check)
    assert status == 503 and body == {"error": "Ärendenumret kan inte hämtas just nu."}


def test_case_endpoint_without_a_secret_refuses_politely() -> None:
    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.post("/widget/case", data=TOKENS.issue(uuid.uuid4().hex))
        return resp.status, await resp.json()

    assert run(make_settings(), check) == (503, {"error": "Ärendenumret kan inte hämtas just nu."})


def test_widget_sends_its_token_in_the_body_not_the_url() -> None:
    source = (STATIC / "kontaktcenter-chat.js").read_text(encoding="utf-8")
    assert "conversation=" not in source
    assert 'method: "POST", body: id' in source


def test_widget_script_never_parses_server_text_as_html() -> None:
    source = (STATIC / "kontaktcenter-chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", ".style."):
        assert sink not in source, sink
    assert "textContent" in source


def test_socket_sources() -> None:
    assert socket_sources("http://localhost:5005/") == "http://localhost:5005 ws://localhost:5005"
    assert socket_sources("https://a.se") == "https://a.se wss://a.se"


# ---------------------------------------------------------------- resident's own copy


def registered(url: str, sender: str, start: datetime, resident_text: str) -> str:
    """A conversation in the register with one question and one answer; its diarienummer."""
    register = make_register(url)
    for event in [
        ev("session_started", sender, start),
        ev("user", sender, start + timedelta(seconds=1), resident_text, intent="ask_phone"),
        ev("bot", sender, start + timedelta(seconds=2), "Ring oss på 042-10 50 00."),
    ]:
        register.record_event(event)
    case = register.case_for_conversation(sender)
    assert case is not None
    return case.diarienummer


def test_transcript_gives_the_caller_only_their_own_conversation_masked(migrated_url: str) -> None:
    mine, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    start = datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc)  # 23:59 in Helsingborg
    number = registered(migrated_url, mine, start, "Mitt nummer är 070-123 45 67")
    registered(migrated_url, theirs, start, "Hemligt från någon annan")

    async def check(client: TestClient) -> dict[str, tuple[int, dict, str]]:
        out = {}
        for fmt in ("html", "text"):
            resp = await client.post("/widget/transcript",
                                     json={"conversation": TOKENS.issue(mine), "format": fmt})
            out[fmt] = (resp.status, dict(resp.headers), await resp.text())
        return out

    out = run(with_secret(make_settings(migrated_url)), check)
    for fmt, (status, headers, body) in out.items():
        assert status == 200, body
        assert number in body and "2026-12-31" in body
        assert "[telefonnummer borttaget]" in body and "070-123 45 67" not in body
        assert "Hemligt från någon annan" not in body and theirs not in body and mine not in body
        assert headers["Content-Disposition"] == (
            f'attachment; filename="chatt-{number}.{"html" if fmt == "html" else "txt"}"')
    assert out["html"][1]["Content-Type"].startswith("text/html")
    assert out["text"][1]["Content-Type"].startswith("text/plain")
    assert "Du\nMitt nummer är [telefonnummer borttaget]" in out["text"][2]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"conversation": "abc", "format": "html"}, 400, "Ogiltigt samtals-id."),
        ({"conversation": "0" * 32, "format": "html"}, 400, "Ogiltigt samtals-id."),  # bare id
        ({"format": "html"}, 400, "Ogiltigt samtals-id."),
        ({"conversation": TOKENS.issue("0" * 32), "format": "pdf"}, 400, "Välj formatet html eller text."),
        ({"conversation": TOKENS.issue("0" * 32), "format": "text"}, 404,
         "Det finns inget sparat samtal att ladda ner ännu."),
    ],
    ids=["bad-id", "bare-id", "no-id", "format", "unknown"],
)
def test_transcript_refuses_politely(migrated_url: str, body: dict, status: int, error: str) -> None:
    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.post("/widget/transcript", json=body)
        return resp.status, await resp.json()

    assert run(with_secret(make_settings(migrated_url)), check) == (status, {"error": error})


def test_broken_json_gets_a_swedish_answer_not_a_trace(migrated_url: str) -> None:
    async def check(client: TestClient) -> list[tuple[int, dict]]:
        out = []
        for path in ("/widget/transcript", "/widget/satisfaction"):
            resp = await client.post(path, data=b"{nej", headers={"Content-Type": "application/json"})
            out.append((resp.status, await resp.json()))
        return out

    assert run(with_secret(make_settings(migrated_url)), check) == [(400, {"error": "Ogiltigt samtals-id."})] * 2


def test_satisfaction_reaches_the_register_once(migrated_url: str) -> None:
    sender = uuid.uuid4().hex
    number = registered(migrated_url, sender, datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc), "Hej")

    async def check(client: TestClient) -> list[tuple[int, dict]]:
        out = []
        for score, comment in ((5, "Tack! Mejla a.b@example.se"), (1, None)):
            resp = await client.post("/widget/satisfaction", json={
                "conversation": TOKENS.issue(sender), "score": score, "comment": comment})
            out.append((resp.status, await resp.json()))
        return out

    first, second = run(with_secret(make_settings(migrated_url)), check)
    assert first == (201, {"diarienummer": number})
    assert second == (409, {"error": "Du har redan svarat för det här ärendet. Tack!"})
    stored = satisfaction_for(get_database(migrated_url), number)
    assert stored is not None and stored.score == 5
    assert stored.comment == "Tack! Mejla [e-post borttagen]"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"conversation": "x", "score": 3}, 400, "Ogiltigt samtals-id."),
        ({"conversation": TOKENS.issue("0" * 32), "score": 9}, 400, "Välj ett betyg från 1 till 5."),
        ({"conversation": TOKENS.issue("0" * 32), "score": 3}, 404, "Det finns inget ärende för samtalet ännu."),
    ],
    ids=["bad-id", "score", "no-case"],
)
def test_satisfaction_refuses_politely(migrated_url: str, body: dict, status: int, error: str) -> None:
    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.post("/widget/satisfaction", json=body)
        return resp.status, await resp.json()

    assert run(with_secret(make_settings(migrated_url)), check) == (status, {"error": error})


def test_cross_origin_pages_may_post_json() -> None:
    async def check(client: TestClient) -> list[tuple[int, dict]]:
        out = []
        for path in ("/widget/transcript", "/widget/satisfaction"):
            resp = await client.options(path, headers={
                "Origin": "https://kommun.example.se", "Access-Control-Request-Method": "POST"})
            out.append((resp.status, dict(resp.headers)))
        return out

    for status, headers in run(make_settings(), check):
        assert status == 204
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_accessibility_statement_has_what_digg_requires() -> None:
    async def check(client: TestClient) -> tuple[int, dict, str, str]:
        resp = await client.get("/tillganglighet")
        home = await client.get("/")
        return resp.status, dict(resp.headers), await resp.text(), await home.text()

    status, headers, body, home = run(make_settings(), check)
    facts = get_facts(ROOT / "config")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "<script>" not in body and "style=" not in body
    assert '<html lang="sv">' in body
    for part in ("delvis förenlig", "WCAG 2.1", "EN 301 549", "Innehåll som inte är tillgängligt",
                 "Hur vi testat", "30 november 2026", "2018:1937",
                 'href="https://www.digg.se/tdosanmalan"', facts.phone):
        assert part in body, part
    assert 'href="/tillganglighet"' in home
