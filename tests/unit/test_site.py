"""kontaktcenter.web.site: routes, headers, the case endpoint, and what the files may not do."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.facts import get_facts
from kontaktcenter.records import get_register
from kontaktcenter.settings import Settings
from kontaktcenter.web import site
from kontaktcenter.web.app import SETTINGS_KEY, security_headers, socket_sources

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
    }


@pytest.fixture
def migrated_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    yield url
    get_database(url).dispose()


def test_case_endpoint_returns_only_the_diarienummer(migrated_url: str) -> None:
    conversation = uuid.uuid4().hex
    case = get_register(migrated_url).open_case(
        conversation, datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc), "socketio"
    )

    async def check(client: TestClient) -> list[tuple[int, dict, str]]:
        out = []
        for conv in (conversation, uuid.uuid4().hex):
            resp = await client.get("/widget/case", params={"conversation": conv})
            out.append((resp.status, await resp.json(), resp.headers["Cache-Control"]))
        return out

    (status, body, cache), (other_status, other, _) = run(make_settings(migrated_url), check)
    assert status == 200 and body == {"diarienummer": case.diarienummer}
    assert cache == "no-store"
    assert other_status == 200 and other == {"diarienummer": None}


@pytest.mark.parametrize(
    "conversation",
    ["", "abc", "../../etc", "A" * 32, "0" * 31, "0" * 33, "' OR 1=1 --", "x" * 2000],
    ids=["empty", "short", "path", "upper", "31", "33", "sql", "long"],
)
def test_case_endpoint_refuses_ids_it_never_issues(conversation: str) -> None:
    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.get("/widget/case", params={"conversation": conversation})
        return resp.status, await resp.json()

    status, body = run(make_settings(), check)
    assert status == 400 and body == {"error": "Ogiltigt samtals-id."}


def test_case_endpoint_says_so_politely_when_the_register_is_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'kc.db'}"

    async def check(client: TestClient) -> tuple[int, dict]:
        resp = await client.get("/widget/case", params={"conversation": uuid.uuid4().hex})
        return resp.status, await resp.json()

    status, body = run(make_settings(url), check)
    assert status == 503 and body == {"error": "Ärendenumret kan inte hämtas just nu."}


def test_widget_script_never_parses_server_text_as_html() -> None:
    source = (STATIC / "kontaktcenter-chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", ".style."):
        assert sink not in source, sink
    assert "textContent" in source


def test_socket_sources() -> None:
    assert socket_sources("http://localhost:5005/") == "http://localhost:5005 ws://localhost:5005"
    assert socket_sources("https://a.se") == "https://a.se wss://a.se"
