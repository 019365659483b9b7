"""The Statistik and Obesvarade frågor pages in Chromium: figures, axe, screenshots.

Only the web app runs (no Rasa stack is needed for these pages), on the known set of
ärenden from tests/insights_data.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.settings import Settings
from kontaktcenter.staff import StaffDirectory
from tests.browser.conftest import ServerThread
from tests.browser.test_accessibility import axe_violations, describe
from tests.e2e.stack import ROOT, free_port
from tests.insights_data import build

pytestmark = pytest.mark.browser
PASSWORD = "ett-långt-lösenord-42"
PERIOD = "?period=egen&fran=2026-11-02&till=2026-11-08"


@pytest.fixture(scope="module")
def insights_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("insights-web")
    url = f"sqlite:///{workdir / 'kc.db'}"
    upgrade(url)
    build(url)
    staff = StaffDirectory(url)
    staff.add("tina", "Tina Teamledare", "teamledare", PASSWORD)
    staff.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    # Keep the console's queue timeout (real clock) away from the November data.
    os.environ["KC_HANDOVER_TIMEOUT_MINUTES"] = "10000000"
    port = free_port()
    settings = Settings(root=ROOT, var_dir=workdir / "var", config_dir=ROOT / "config",
                        database_url=url, rasa_token="t", web_url=f"http://127.0.0.1:{port}")
    from kontaktcenter.web.app import create_app

    server = ServerThread(create_app(settings), port)
    server.start()
    try:
        if not server.ready.wait(30):
            pytest.fail("Webbservern startade inte.")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        os.environ.pop("KC_HANDOVER_TIMEOUT_MINUTES", None)
        get_database(url).dispose()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    try:
        yield page
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/console/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_statistics_page_reads_well_and_passes_axe(tab: Page, insights_url: str,
                                                   screenshots: Path) -> None:
    log_in(tab, insights_url, "tina")
    tab.get_by_role("link", name="Statistik").click()
    expect(tab.get_by_role("heading", name="Statistik", level=1)).to_be_visible()
    tab.get_by_label("Period", exact=True).select_option("egen")
    tab.get_by_label("Från (egen period)").fill("2026-11-02")
    tab.get_by_label("Till (egen period)").fill("2026-11-08")
    tab.get_by_role("button", name="Visa").click()
    expect(tab.locator("#period-label")).to_have_text("2026-11-02 – 2026-11-08")
    row = tab.get_by_role("row", name="Andel klarade utan kommunvägledare")
    expect(row.get_by_role("cell")).to_have_text("20,0 %")
    expect(tab.get_by_role("row", name="Andel nöjda (4–5)").get_by_role("cell")
           ).to_have_text("75,0 %")
    for name in ("Samtal per dag", "Samtal per veckodag och timme", "Vanligaste ämnen",
                 "Vanligaste obesvarade teman"):
        expect(tab.get_by_role("img", name=name)).to_be_visible()
    assert tab.locator("svg.chart rect").count() > 24 * 7
    violations = axe_violations(tab)
    assert violations == [], describe(violations)
    tab.screenshot(path=str(screenshots / "console-statistik.png"), full_page=True)
    # 320 px wide: no sideways scrolling of the page itself.
    tab.set_viewport_size({"width": 320, "height": 640})
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320 + 1
    tab.screenshot(path=str(screenshots / "console-statistik-320.png"), full_page=True)


def test_missed_questions_page_triage_and_axe(tab: Page, insights_url: str,
                                              screenshots: Path) -> None:
    log_in(tab, insights_url, "anna")
    expect(tab.get_by_role("link", name="Statistik")).to_have_count(0)
    tab.goto(insights_url + "/console/obesvarade" + PERIOD)
    expect(tab.get_by_role("heading", name="Obesvarade frågor", level=1)).to_be_visible()
    groups = tab.locator("section.missed-group")
    expect(groups).to_have_count(3)
    expect(tab.get_by_text("ring mig på [telefonnummer borttaget] om bygglov")).to_be_visible()
    violations = axe_violations(tab)
    assert violations == [], describe(violations)
    tab.screenshot(path=str(screenshots / "console-obesvarade.png"), full_page=True)
    parking = groups.filter(has_text="parkera")
    parking.get_by_label("Utanför uppdraget").check()
    parking.get_by_role("button", name="Spara beslut").click()
    expect(tab.locator("section.missed-group")).to_have_count(2)
    expect(tab.get_by_text("kan jag parkera vid hid")).to_have_count(0)
