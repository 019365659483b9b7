"""A resident's HTML or script shows as plain text in the staff console (headless Chromium)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from playwright.sync_api import BrowserContext, expect

from kontaktcenter.handover import HandoverService
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.web.app import create_app
from tests.browser.conftest import ServerThread, WebServer
from tests.e2e.stack import free_port

pytestmark = pytest.mark.browser
PASSWORD = "ett-långt-lösenord-42"
PAYLOAD = (
    "<img src=x onerror=\"window.__kcXss='img'\">"
    "<script>window.__kcXss='script'</script><b>fet</b> & \"citat\""
)


def test_resident_html_renders_as_text_in_the_console(
    context: BrowserContext, web_server: WebServer
) -> None:
    db = web_server.settings.database_url
    username = "xss" + uuid.uuid4().hex[:8]
    StaffDirectory(db).add(username, "Anna Andersson", "kommunvägledare", PASSWORD)
    conversation = "xss-" + uuid.uuid4().hex  # REST: bare 32-hex ids belong to the web chat
    handover = HandoverService(db)
    ticket = handover.request(conversation, concern=PAYLOAD)
    handover.take(ticket.handover.id, username, "Anna")
    web_server.stack.say(conversation, PAYLOAD)  # the resident writes it in the chat

    # The console reaches Rasa server-side with the stack's token.
    settings = replace(web_server.settings, rasa_url=web_server.stack.url,
                       rasa_token=web_server.stack.token)
    port = free_port()
    server = ServerThread(create_app(settings), port)
    server.start()
    assert server.ready.wait(30)
    try:
        check_in_browser(context, f"http://127.0.0.1:{port}", username, ticket.handover.id)
    finally:
        server.stop()


def check_in_browser(context: BrowserContext, url: str, username: str, handover_id: int) -> None:
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.goto(url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#queue-rows")).to_be_visible()
    page.goto(f"{url}/console/handover/{handover_id}")
    resident = page.locator("#transcript .msg.resident .text")
    expect(resident).to_have_text(PAYLOAD)
    expect(page.locator(".hint", has_text="Gäller")).to_contain_text("<img src=x")
    assert page.locator("#transcript img, #transcript script, #transcript b").count() == 0
    assert page.evaluate("() => window.__kcXss") is None
    assert problems == [], problems
