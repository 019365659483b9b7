"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the product.

One Rasa stack and one web app per session: the web app serves the sample page and the
widget, configured with that stack's socket.io URL; the stack allows the web app's
origin through KC_WEB_URL. Nothing here downloads a browser. The stack, and this process,
run on an explicit clock (an open Thursday morning, tests/e2e/stack.py), so scenarios
such as the handover offer, given only while open, pass at any real hour.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from aiohttp import web
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from kontaktcenter.settings import Settings
from tests.e2e.stack import ROOT, RasaStack, free_port

CHROMIUM = Path(os.environ.get("KC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
REPLY_TIMEOUT_MS = 30_000
# Uninterpretable (emoji only): the input guard sends it to the fallback; twice in a row
# the bot offers a kommunvägledare with buttons.
NONSENSE_TEXT = "🙂🙂"
OPEN_MOMENT = "2026-12-01T10:00"

pytestmark = pytest.mark.browser


@dataclass
class WebServer:
    url: str
    settings: Settings
    stack: RasaStack


def build_app(settings: Settings) -> web.Application:
    """The real web app; only the resident's part while the console is not there yet."""
    from kontaktcenter.web import app as web_app

    try:
        return web_app.create_app(settings)
    except ModuleNotFoundError as err:
        if err.name != "kontaktcenter.console":
            raise
    from kontaktcenter.web import site

    bare = web.Application(middlewares=[web_app.security_headers])
    bare[web_app.SETTINGS_KEY] = settings
    site.setup(bare)
    return bare


class ServerThread(threading.Thread):
    """Runs an aiohttp app on its own event loop until stopped."""

    def __init__(self, app: web.Application, port: int) -> None:
        super().__init__(daemon=True)
        self.app, self.port = app, port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.runner: web.AppRunner | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(self.app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(20)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(20)


# Package scope: stopped before other test folders run (Playwright's sync API keeps an
# event loop running on the main thread, which would break asyncio.run elsewhere).
@pytest.fixture(scope="package")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium saknas på {CHROMIUM}: apt-get install chromium")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("browser-stack")
    (workdir / "var").mkdir()
    # A Tuesday morning, when kontaktcenter is open: the replies do not depend on the hour
    # the suite happens to run (every process reads KC_NOW through kontaktcenter.clock).
    # One clock for the stack and this process (the autouse _stack_clock below): the
    # console's queue timeout compares the action server's times with its own.
    # Rasa stamps events with the real clock while the register's idle check reads KC_NOW
    # (a day or more ahead here): without a long idle limit the recorder would close every
    # ärende within a minute, even one an agent is handling (the desk walkthrough).
    broker = {"type": "rasa_addons.event_broker.RecordsEventBroker",
              "spool_dir": str(workdir / "var" / "spool"), "idle_minutes": 60 * 24 * 30}
    stack = RasaStack(workdir, now=OPEN_MOMENT, extra_env={"KC_WEB_URL": origin},
                      endpoints_override={"event_broker": broker}).start()
    try:
        settings = replace(
            Settings.from_env({**os.environ, "KC_HOME": str(ROOT)}),
            var_dir=workdir / "var",
            database_url=stack.env["KC_DATABASE_URL"],
            rasa_public_url=stack.url,
            # The console in the same web app talks to this stack's Rasa API (the agent
            # desk walkthrough, tests/browser/test_desk_walkthrough.py).
            rasa_url=stack.url,
            rasa_token=stack.token,
            web_url=origin,
            conversation_secret=stack.conversation_secret,
        )
        server = ServerThread(build_app(settings), port)
        server.start()
        if not server.ready.wait(30):
            pytest.fail("Webbservern startade inte.")
        try:
            yield WebServer(url=origin, settings=settings, stack=stack)
        finally:
            server.stop()
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def _stack_clock(web_server: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app runs in this process: put it on the stack's clock (an open Thursday)."""
    web_server.stack.use_clock(monkeypatch)


def browser_env() -> dict[str, str]:
    """The environment Chromium starts with: this one without libfaketime.

    A suite run under Debian's `faketime` (the system date moved, issue 9) preloads
    libfaketime into every child; Chromium's zygote then stalls and `Page.goto` times out.
    The servers keep the faked clock; the browser, like a resident's, keeps its own. The
    widget only uses the browser's clock for relative times (idle limit, shown times).
    """
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("FAKETIME") and key != "DONT_FAKE_MONOTONIC"}
    preload = [lib for lib in env.get("LD_PRELOAD", "").split(":")
               if lib and "faketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    return env


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              env=browser_env())
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE",
                              timezone_id="Europe/Stockholm")
    ctx.set_default_timeout(REPLY_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext, web_server: WebServer) -> Iterator[Page]:
    """The sample page, loaded; fails the test on any script error or CSP violation."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    tab.on("console", lambda msg: problems.append(f"console: {msg.text}")
           if msg.type == "error" and "Content Security Policy" in msg.text else None)
    tab.goto(web_server.url + "/")
    yield tab
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# ------------------------------------------------------------------------ helpers


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Chatta med oss").click()
    expect(page.get_by_role("dialog", name="Chatta med kontaktcenter")).to_be_visible()
    expect(page.locator(".kc-status")).to_have_text("Ansluten")


def bot_messages(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".kc-msg--bot, .kc-msg--agent")


def say(page: Page, text: str) -> None:
    """Type a message, send it and wait for at least one more reply."""
    before = bot_messages(page).count()
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    box.fill(text)
    box.press("Enter")
    expect(bot_messages(page)).not_to_have_count(before)
    wait_quiet(page)


def wait_quiet(page: Page, ms: int = 700) -> None:
    """Let the rest of a multi-message reply arrive (replies come within milliseconds)."""
    count = -1
    while count != bot_messages(page).count():
        count = bot_messages(page).count()
        page.wait_for_timeout(ms)


def session_id(page: Page) -> str:
    value = page.evaluate(
        "() => JSON.parse(localStorage.getItem('kontaktcenterChat.v1') || '{}').sessionId"
    )
    # The widget keeps the signed token "<conversation id>.<signature>" (issue 11).
    assert isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}\.[\w-]{43}", value), value
    return value.split(".")[0]


def user_texts(stack: RasaStack, conversation: str) -> list[str]:
    status, tracker = stack.api(f"/conversations/{conversation}/tracker")
    assert status == 200, tracker
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


# The first line of the newest message (its speaker line and the first line of its text)
# lies inside the visible part of the message list, and the list has stopped moving (a
# smooth scroll passing over the line does not count).
NEWEST_FIRST_LINE_IN_VIEW = """() => {
    const log = document.querySelector('.kc-log');
    const items = log.querySelectorAll('.kc-msg');
    const newest = items[items.length - 1];
    const state = window.__kcLayout || (window.__kcLayout = {key: '', since: 0});
    const key = [log.scrollTop, log.scrollHeight, log.clientHeight, items.length].join(':');
    const now = performance.now();
    if (state.key !== key) {
        state.key = key;
        state.since = now;
    }
    if (now - state.since < 500) return false;
    if (!newest) return true;
    const text = newest.querySelector('.kc-msg__text');
    const range = document.createRange();
    const first = text.firstChild || text;
    range.setStart(first, 0);
    range.setEnd(first, Math.min(1, (first.textContent || '').length));
    const line = range.getBoundingClientRect();
    const view = log.getBoundingClientRect();
    const top = newest.getBoundingClientRect().top;
    return top >= view.top - 1 && line.bottom <= view.bottom + 1 && line.height > 0;
}"""


def newest_in_view(page: Page, when: str) -> None:
    """Poll (bounded) until the list is still and the newest message's first line shows."""
    try:
        page.wait_for_function(NEWEST_FIRST_LINE_IN_VIEW, polling=100, timeout=8_000)
    except Exception as err:  # Playwright's TimeoutError
        raise AssertionError(f"Det senaste meddelandets första rad syns inte ({when}).") from err


def post_bot_event(web_server: WebServer, conversation: str, event: dict) -> None:
    """A message from the console side: posted to Rasa, emitted to the widget's socket."""
    status, body = web_server.stack.api(
        f"/conversations/{conversation}/tracker/events"
        "?execute_side_effects=true&output_channel=socketio",
        method="POST",
        body=[event],
    )
    assert status == 200, body
