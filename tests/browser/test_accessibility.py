"""axe-core (vendored, tests/browser/vendor) on the page with the widget open, and the
layout at desktop, 320 px and 200 % zoom, with screenshots under artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import NONSENSE_TEXT, WebServer, open_widget, say

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def have_conversation(page: Page) -> None:
    """A question, an answer, a link and the fallback's choice buttons on screen."""
    open_widget(page)
    say(page, "Vilka öppettider har ni?")
    say(page, NONSENSE_TEXT)
    say(page, NONSENSE_TEXT)
    expect(page.locator(".kc-reply").first).to_be_visible()


def axe_violations(page: Page) -> list[dict]:
    # Runtime evaluation is not subject to the page's CSP; a <script> tag would be.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            if (result.passes.length < 10) throw new Error('axe ran too few rules');
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }""",
        WCAG_AA,
    )


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"])
                     for v in violations)


@pytest.mark.parametrize(
    "mode",
    [{"color_scheme": "light"}, {"color_scheme": "dark"}, {"forced_colors": "active"}],
    ids=["light", "dark", "forced-colours"],
)
def test_axe_finds_no_wcag_aa_violations_in_every_colour_mode(
    page: Page, screenshots: Path, mode: dict
) -> None:
    page.emulate_media(**mode)
    name = mode.get("color_scheme") or "forced-colours"
    have_conversation(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    # The keep sheet, then the ended conversation with "Fick du hjälp?".
    page.get_by_role("button", name="Spara samtalet").click()
    keep = page.get_by_role("group", name="Spara samtalet")
    expect(keep).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    keep.get_by_role("button", name="Stäng").click()
    page.get_by_role("button", name="Avsluta samtalet").click()
    page.get_by_role("button", name="Avsluta och rensa").click()
    expect(page.get_by_role("group", name="Fick du hjälp?")).to_be_visible()
    page.screenshot(path=str(screenshots / f"widget-mode-{name}.png"))
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    if mode.get("color_scheme") == "dark":
        background = page.locator(".kc-panel").evaluate("el => getComputedStyle(el).backgroundColor")
        assert background != "rgb(255, 255, 255)", "mörkt läge används inte"


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [
        ("desktop-1280", {"width": 1280, "height": 800}, 1),
        ("mobile-320", {"width": 320, "height": 640}, 2),
        # 200 % zoom of a 1280x800 window: half the CSS pixels, twice the density.
        ("zoom-200", {"width": 640, "height": 400}, 2),
    ],
)
def test_open_widget_fits_and_is_screenshotted(
    browser: Browser, web_server: WebServer, screenshots: Path,
    name: str, viewport: dict, scale: int,
) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(web_server.url + "/")
        have_conversation(page)
        panel = page.locator(".kc-panel")
        box = panel.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= viewport["width"] + 0.5
        assert box["y"] + box["height"] <= viewport["height"] + 0.5
        # Reflow (WCAG 1.4.10): no horizontal scrolling, every control reachable on screen.
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        ), "sidan rullar i sidled"
        assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
        for control in ("Skicka", "Stäng chatten"):
            expect(page.get_by_role("button", name=control)).to_be_in_viewport()
        expect(page.get_by_role("textbox", name="Skriv ditt meddelande")).to_be_in_viewport()
        page.screenshot(path=str(screenshots / f"widget-{name}.png"))
        assert page.evaluate("() => window.__kcXss") is None
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()
