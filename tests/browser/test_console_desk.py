"""The agent desk in headless Chromium: snabbsvar, reply-box keys and internal notes.

The console runs against a fake Rasa HTTP API (tests/unit/test_console.py), so no Rasa
stack is started: what matters here is the page, the keyboard and axe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp import web
from playwright.sync_api import Browser, Locator, Page, expect

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.desk.presence import AWAY, Routing
from kontaktcenter.handover import HandoverService
from kontaktcenter.handover.contact import Contact
from kontaktcenter.records.register import Register
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.web.app import create_app
from tests.browser.conftest import ServerThread
from tests.browser.test_accessibility import axe_violations, describe
from tests.e2e.stack import ROOT, free_port
from tests.unit.test_console import PASSWORD, TOKEN, FakeRasa

pytestmark = pytest.mark.browser


@dataclass
class Desk:
    url: str
    rasa: FakeRasa
    handover_id: int
    diarienummer: str
    database_url: str
    app: web.Application


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    StaffDirectory(url).add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    case = Register(url).open_case("conv-desk", datetime(2026, 11, 30, 9, tzinfo=timezone.utc))
    handover = HandoverService(url)
    hid = handover.request("conv-desk", concern="Bygglov",
                           diarienummer=case.diarienummer).handover.id
    handover.take(hid, "anna", "Anna Andersson")
    rasa = FakeRasa()
    rasa_port, web_port = free_port(), free_port()
    rasa_server = ServerThread(rasa.app, rasa_port)
    rasa_server.start()
    settings = Settings(root=ROOT, var_dir=tmp_path, config_dir=ROOT / "config",
                        database_url=url, rasa_url=f"http://127.0.0.1:{rasa_port}",
                        rasa_token=TOKEN)
    app = create_app(settings)
    web_thread = ServerThread(app, web_port)
    web_thread.start()
    assert rasa_server.ready.wait(30) and web_thread.ready.wait(30)
    try:
        yield Desk(f"http://127.0.0.1:{web_port}", rasa, hid, case.diarienummer, url, app)
    finally:
        web_thread.stop()
        rasa_server.stop()
        get_database(url).dispose()


@pytest.fixture
def console(browser: Browser, desk: Desk) -> Iterator[Page]:
    """Logged in as Anna; fails the test on any script error or CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.goto(desk.url + "/console/login")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#queue-rows")).to_be_visible()
    try:
        yield page
    finally:
        context.close()
    assert problems == [], problems


def posted_texts(rasa: FakeRasa) -> list[str]:
    return [e.get("text", "") for _, _, body in list(rasa.posted) for e in body
            if e.get("event") == "bot"]


def test_snabbsvar_page_by_keyboard_and_axe(console: Page, desk: Desk) -> None:
    console.goto(desk.url + "/console/snabbsvar")
    assert axe_violations(console) == [], describe(axe_violations(console))
    console.get_by_label("Kortord").last.focus()
    console.keyboard.type("oppet")
    console.keyboard.press("Tab")
    console.keyboard.type("Vi har öppet 8–17.")
    console.keyboard.press("Tab")
    console.keyboard.press("Enter")  # "Lägg till"
    expect(console.get_by_role("button", name="Spara /oppet")).to_be_visible()
    violations = axe_violations(console)
    assert violations == [], describe(violations)


def test_reply_box_keys_snabbsvar_and_internal_note(console: Page, desk: Desk) -> None:
    console.goto(desk.url + "/console/snabbsvar")
    console.get_by_label("Kortord").last.fill("oppet")
    console.get_by_label("Text").last.fill("Vi har öppet 8–17.")
    console.get_by_role("button", name="Lägg till").click()
    expect(console.get_by_role("button", name="Spara /oppet")).to_be_visible()

    console.goto(f"{desk.url}/console/handover/{desk.handover_id}")
    box = console.get_by_role("textbox", name="Ditt svar")
    expect(box).to_be_focused()  # focus lands in the reply box
    console.keyboard.type("Hej! /oppet")
    console.keyboard.press("Tab")  # /kortord + Tab inserts the snabbsvar
    expect(box).to_have_value("Hej! Vi har öppet 8–17.")
    expect(box).to_be_focused()
    console.keyboard.press("Shift+Enter")
    console.keyboard.type("Mvh Anna")
    expect(box).to_have_value("Hej! Vi har öppet 8–17.\nMvh Anna")
    console.keyboard.press("Enter")  # sends
    expect(box).to_have_value("")
    for _ in range(100):  # poll the fake Rasa, at most 10 s
        if "Hej! Vi har öppet 8–17.\nMvh Anna" in posted_texts(desk.rasa):
            break
        console.wait_for_timeout(100)
    assert "Hej! Vi har öppet 8–17.\nMvh Anna" in posted_texts(desk.rasa)

    # The list and Infoga button, keyboard only; focus returns to the box.
    console.get_by_label("Snabbsvar").focus()
    console.keyboard.press("Tab")
    expect(console.get_by_role("button", name="Infoga")).to_be_focused()
    console.keyboard.press("Enter")
    expect(box).to_have_value("Vi har öppet 8–17.")
    expect(box).to_be_focused()
    box.fill("")

    # An internal note: shown on the page, recorded, never sent to the resident.
    sent_before = len(desk.rasa.posted)
    note = console.get_by_role("textbox", name="Ny anteckning")
    note.fill("Vill bli uppringd på 070-123 45 67 efter lunch.")
    console.get_by_role("button", name="Spara anteckning").click()
    notes = console.locator("#anteckningar .notes li")
    expect(notes).to_have_count(1)
    expect(notes.first).to_contain_text("Anna Andersson (anna)")
    expect(notes.first).to_contain_text("uppringd på [telefonnummer borttaget] efter lunch")
    assert len(desk.rasa.posted) == sent_before
    assert not any("uppringd" in t for t in posted_texts(desk.rasa))
    violations = axe_violations(console)
    assert violations == [], describe(violations)

    console.goto(f"{desk.url}/console/cases/{desk.diarienummer}")
    expect(console.locator("#anteckningar .notes li")).to_have_count(1)
    violations = axe_violations(console)
    assert violations == [], describe(violations)


def test_status_by_keyboard_and_the_team_overview_pass_axe(
    console: Page, desk: Desk, browser: Browser
) -> None:
    console.goto(desk.url + "/console/status")
    violations = axe_violations(console)
    assert violations == [], describe(violations)
    console.get_by_role("radio", name="tillgänglig").focus()
    console.keyboard.press("Space")
    console.keyboard.press("Tab")
    expect(console.get_by_role("button", name="Spara status")).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.locator("main p").first).to_contain_text("Du är tillgänglig")

    # The team lead at another desk (Anna stays logged in: presence follows the login).
    StaffDirectory(desk.database_url).add("tove", "Tove Teamledare", "teamledare", PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    lead = context.new_page()
    try:
        lead.goto(desk.url + "/console/login")
        lead.fill("input[name=username]", "tove")
        lead.fill("input[name=password]", PASSWORD)
        lead.click("button[type=submit]")
        lead.get_by_role("link", name="Teamöversikt").click()
        expect(lead.locator("#queue-length")).to_have_text("0")
        row = lead.get_by_role("row", name="Anna Andersson (anna)")
        expect(row).to_contain_text("tillgänglig")
        expect(row).to_contain_text("1 av 3")
        violations = axe_violations(lead)
        assert violations == [], describe(violations)
    finally:
        context.close()
    # Logging out makes Anna borta for the team lead too.
    console.get_by_role("button", name="Logga ut").click()
    expect(console.locator("input[name=username]")).to_be_visible()
    assert Routing(desk.database_url).status_of("anna") == AWAY


BACKGROUND_TAB = """
Object.defineProperty(document, "hidden", { get: () => true });
document.hasFocus = () => false;
window.__notes = [];
window.Notification = function (title, options) { window.__notes.push([title, options.body]); };
window.Notification.permission = "granted";
"""


def test_a_new_queue_item_is_pushed_and_notified_in_a_background_tab(
    console: Page, desk: Desk
) -> None:
    console.add_init_script(BACKGROUND_TAB)
    console.goto(desk.url + "/console")
    expect(console.locator("body")).to_have_attribute("data-push", "on")
    expect(console.locator("#queue-rows")).to_contain_text("Ingen väntar")
    HandoverService(desk.database_url).request("conv-new", concern="Parkering")
    expect(console.locator("#queue-rows")).to_contain_text("Parkering")
    expect(console).to_have_title(re.compile(r"^\(1\) "))
    assert console.evaluate("() => window.__notes") == [
        ["Ny invånare i kön", "Någon väntar på en kommunvägledare."]]
    # The sound is off unless chosen; the choice is a labelled checkbox kept per browser.
    sound = console.get_by_label("Ljud vid nytt")
    expect(sound).not_to_be_checked()
    sound.check()
    assert console.evaluate("() => localStorage.getItem('kcSound')") == "1"


def test_the_queue_updating_itself_keeps_the_keyboard_focus(console: Page, desk: Desk) -> None:
    """An agent tabbing to "Ta över" keeps the focus there while the list updates (a new
    resident in the queue): before, every update rebuilt the rows and the focus fell back
    to the top of the page."""
    service = HandoverService(desk.database_url)
    service.request("conv-first", concern="Parkering")
    console.goto(desk.url + "/console")
    expect(console.locator("body")).to_have_attribute("data-push", "on")
    take = console.locator("#queue-rows tr", has_text="Parkering").get_by_role(
        "button", name="Ta över")
    expect(take).to_be_visible()
    tab_until_focused(console, take)
    service.request("conv-second", concern="Bygglov")
    expect(console.locator("#queue-rows")).to_contain_text("Bygglov")
    assert take.evaluate("node => node === document.activeElement")


def tab_until_focused(page: Page, target: Locator) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    raise AssertionError("Tab never reached the take button")


# Every element the keyboard should reach: visible, enabled, not taken out of the order.
# Radio buttons count once per group (Tab enters a group at one of them).
MARK_FOCUSABLE = """() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]';
    const seen = new Set();
    let count = 0;
    for (const node of document.querySelectorAll(selector)) {
        if (node.disabled || node.tabIndex < 0 || node.closest('[hidden]')) continue;
        const box = node.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(node).visibility === 'hidden') continue;
        const key = node.type === 'radio' ? 'radio:' + node.name : 'n' + count;
        node.setAttribute('data-kc-key', key);
        if (!seen.has(key)) { seen.add(key); count += 1; }
    }
    return [...seen];
}"""


def keyboard_reaches_everything(page: Page) -> None:
    """Tab through the page from the top: every control is reached, none traps the focus.

    A list that updated itself during the walk (the unread marks, the queue) has new nodes
    without the marks: the walk is then made again, at most three times. A control that
    stays on the page and is never reached fails at once."""
    for attempt in range(3):
        missing = _tab_through(page)
        if not missing:
            return
        shown = page.evaluate("""keys => keys.map(k => document.querySelector(
            `[data-kc-key="${k}"]`)?.outerHTML.slice(0, 200))""", missing)
        if any(node is not None for node in shown) or attempt == 2:
            raise AssertionError(f"{page.url}: Tab never reached {shown}")


def _tab_through(page: Page) -> list[str]:
    """Mark the focusable controls, Tab from the top; the marks never reached."""
    wanted = page.evaluate(MARK_FOCUSABLE)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    reached = set()
    for _ in range(2 * len(wanted) + 20):
        page.keyboard.press("Tab")
        key = page.evaluate("() => document.activeElement?.getAttribute('data-kc-key')")
        if key:
            reached.add(key)
        if reached >= set(wanted):
            return []
    return [k for k in wanted if k not in reached]


def console_pages(desk: Desk, case_number: str) -> list[str]:
    """One URL for every page route of the console (new routes must be added here)."""
    urls = {
        "/console": "/console", "/console/": "/console/",
        "/console/handover/{id}": f"/console/handover/{desk.handover_id}",
        "/console/callbacks": "/console/callbacks",
        "/console/cases": "/console/cases?q=bygglov",
        "/console/cases/{number}": f"/console/cases/{case_number}",
        "/console/hours": "/console/hours", "/console/statistik": "/console/statistik",
        "/console/obesvarade": "/console/obesvarade", "/console/snabbsvar": "/console/snabbsvar",
        "/console/status": "/console/status", "/console/team": "/console/team",
    }
    routes = {
        r.resource.canonical for r in desk.app.router.routes()
        if r.method == "GET" and r.resource is not None
        and r.resource.canonical.startswith("/console")
        and not r.resource.canonical.startswith(("/console/api/", "/console/static"))
        and r.resource.canonical != "/console/login"
    }
    assert routes == set(urls), f"console pages without an axe check: {routes - set(urls)}"
    return [desk.url + u for u in urls.values()]


def test_axe_and_the_keyboard_on_every_console_page(
    console: Page, desk: Desk, browser: Browser
) -> None:
    """Every console page, for an agent and for a team lead, with content on it."""
    StaffDirectory(desk.database_url).add("tove", "Tove Teamledare", "teamledare", PASSWORD)
    case = Register(desk.database_url).open_case(
        "conv-callback", datetime(2026, 11, 30, 9, 30, tzinfo=timezone.utc))
    HandoverService(desk.database_url).leave_callback(
        "conv-callback", "Kan ni ringa mig om bygglov?", Contact("telefon", "0701234567"),
        case.diarienummer)
    HandoverService(desk.database_url).request("conv-waiting", concern="Parkering")
    pages = console_pages(desk, case.diarienummer)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    try:
        login = context.new_page()
        login.goto(desk.url + "/console/login")
        assert axe_violations(login) == [], describe(axe_violations(login))
        keyboard_reaches_everything(login)
        login.fill("input[name=username]", "tove")
        login.fill("input[name=password]", PASSWORD)
        login.click("button[type=submit]")
        expect(login.locator("#queue-rows")).to_contain_text("Parkering")
        for page in (console, login):  # anna (kommunvägledare), tove (teamledare)
            for url in pages:
                page.goto(url)
                expect(page.locator("main")).to_be_visible()
                if "/handover/" in url and page is console:
                    expect(page.locator("#transcript")).to_be_visible()
                violations = axe_violations(page)
                assert violations == [], f"{url}\n" + describe(violations)
                keyboard_reaches_everything(page)
    finally:
        context.close()
