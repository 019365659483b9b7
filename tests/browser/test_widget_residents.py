"""Issue 13: what residents expect of the chat widget, checked in headless Chromium.

Every answer in view at 1280 px, 320 px and 200 % zoom; focus kept in the full-screen
panel; the close button in forced colours; long messages; no reply; the notice once;
ending with confirmation, download and "Fick du hjälp?"; badge, title and open state;
links; start buttons; language of parts.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from kontaktcenter.db import get_database
from kontaktcenter.facts import get_facts
from kontaktcenter.records.satisfaction import satisfaction_for
from tests.browser.conftest import (
    WebServer,
    bot_messages,
    newest_in_view,
    open_widget,
    post_bot_event,
    say,
    session_id,
    wait_quiet,
)

pytestmark = pytest.mark.browser

SIZES = [
    ("desktop-1280", {"width": 1280, "height": 800}, 1),
    ("mobile-320", {"width": 320, "height": 640}, 2),
    # 200 % zoom of a 1280x800 window: half the CSS pixels, twice the density.
    ("zoom-200", {"width": 640, "height": 400}, 2),
]
SMALL_SIZES = [size for size in SIZES if size[0] != "desktop-1280"]
LONG_ANSWER = "\n".join(f"Rad {i}: så här gör du steg för steg när du kontaktar oss." for i in range(1, 41))


def new_page(browser: Browser, web_server: WebServer, viewport: dict, scale: int,
             **options: object) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="sv-SE",
                                  timezone_id="Europe/Stockholm", **options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.goto(web_server.url + "/")
    return context, page, problems


@pytest.fixture(params=SIZES, ids=[size[0] for size in SIZES])
def sized(request: pytest.FixtureRequest, browser: Browser, web_server: WebServer
          ) -> Iterator[tuple[str, Page]]:
    name, viewport, scale = request.param
    context, page, problems = new_page(browser, web_server, viewport, scale)
    try:
        yield name, page
        assert problems == [], "\n".join(problems)
    finally:
        context.close()


def case_number(page: Page) -> str:
    number = page.locator(".kc-case__number")
    expect(number).to_have_text(re.compile(r"\S+"), timeout=15_000)
    return number.inner_text()


# ------------------------------------------------------------------ every answer in view


def test_newest_message_first_line_in_view_after_replies_case_number_and_alerts(
    sized: tuple[str, Page], web_server: WebServer, screenshots: Path
) -> None:
    name, page = sized
    open_widget(page)
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")

    box.fill("Vilka öppettider har ni?")
    box.press("Enter")
    newest_in_view(page, "efter egen fråga")
    expect(bot_messages(page).first).to_be_visible()
    newest_in_view(page, "efter första svaret")
    wait_quiet(page)
    newest_in_view(page, "efter hela svaret")

    # The diarienummer line arrives later and makes the header taller.
    case_number(page)
    newest_in_view(page, "efter ärendenumret")

    # A long answer: its beginning is shown, not its end.
    post_bot_event(web_server, session_id(page),
                   {"event": "bot", "text": LONG_ANSWER, "metadata": {"kc_agent": "Anna"}})
    expect(page.locator(".kc-msg--agent")).to_have_count(1)
    newest_in_view(page, "efter långt svar")
    page.screenshot(path=str(screenshots / f"widget-long-answer-{name}.png"))

    # An alert above the list (too long a message) must not push the answer out of view.
    box.fill("x" * 1200)
    expect(page.get_by_role("alert")).to_contain_text("för långt")
    newest_in_view(page, "efter varningen")
    box.fill("")
    expect(page.get_by_role("alert")).to_be_hidden()
    newest_in_view(page, "när varningen försvunnit")


# ------------------------------------------------------------------ focus on small screens


@pytest.mark.parametrize(("name", "viewport", "scale"), SMALL_SIZES,
                         ids=[size[0] for size in SMALL_SIZES])
def test_full_screen_panel_is_modal_and_keeps_focus(
    browser: Browser, web_server: WebServer, name: str, viewport: dict, scale: int
) -> None:
    context, page, problems = new_page(browser, web_server, viewport, scale)
    try:
        open_widget(page)
        panel = page.locator(".kc-panel")
        expect(panel).to_have_attribute("aria-modal", "true")
        inside = "() => document.querySelector('.kc-panel').contains(document.activeElement)"
        for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:
            page.keyboard.press(key)
            assert page.evaluate(inside), f"fokus lämnade chatten ({name}, {key})"

        # The end confirmation fits too: every button reachable inside the panel.
        page.get_by_role("button", name="Avsluta samtalet").click()
        sheet = page.get_by_role("group", name="Vill du avsluta samtalet?")
        frame = panel.bounding_box()
        assert frame is not None
        for control in [*sheet.get_by_role("button").all(),
                        page.get_by_role("textbox", name="Skriv ditt meddelande")]:
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None and box["height"] > 0
            assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5
            clip = control.evaluate("""el => {
                const r = el.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return el.contains(hit);
            }""")
            assert clip, f"{control} är dold ({name})"
        for key in ["Tab"] * 10:
            page.keyboard.press(key)
            assert page.evaluate(inside), f"fokus lämnade chatten ({name}, {key})"
        assert problems == []
    finally:
        context.close()


def test_floating_panel_on_desktop_is_not_modal(page: Page) -> None:
    open_widget(page)
    expect(page.locator(".kc-panel")).not_to_have_attribute("aria-modal", "true")


# ------------------------------------------------------------------ forced colours


def distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len({colour for _, colour in image.getcolors(maxcolors=1 << 16) or []})


def test_close_button_cross_is_drawn_in_forced_colours(
    browser: Browser, web_server: WebServer, screenshots: Path
) -> None:
    context, page, _ = new_page(browser, web_server, {"width": 1280, "height": 800}, 1,
                                forced_colors="active")
    try:
        open_widget(page)
        icon = page.locator(".kc-close__icon")
        box = icon.bounding_box()
        assert box is not None and box["width"] >= 16
        png = page.screenshot(clip=box)
        page.screenshot(path=str(screenshots / "widget-forced-colours.png"))
        assert distinct_colours(png) >= 2, "krysset syns inte i forcerade färger"
    finally:
        context.close()


# ------------------------------------------------------------------ long messages


def test_pasted_long_message_is_kept_counted_and_explained(page: Page) -> None:
    open_widget(page)
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    text = "Lång fråga. " * 170  # 2040 characters

    box.fill(text)

    assert len(box.input_value()) == len(text), "texten klipptes utan förvarning"
    expect(page.locator(".kc-counter")).to_contain_text(f"{len(text)} tecken")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Meddelandet är för långt")
    box.press("Enter")
    expect(page.locator(".kc-msg--user")).to_have_count(0)
    assert box.input_value() == text

    say(page, "Vilka öppettider har ni?")
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".kc-counter")).to_contain_text("0 av högst 1000 tecken")


# ------------------------------------------------------------------ no reply


def test_no_reply_says_so_and_offers_the_phone(page: Page, web_server: WebServer) -> None:
    config = json.loads(urllib.request.urlopen(web_server.url + "/widget/config.json").read())
    config["replyTimeoutSeconds"] = 2

    def quick_config(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(config))

    page.route("**/widget/config.json", quick_config)
    page.reload()
    open_widget(page)
    # The message is lost on its way (as on a broken network): no reply will come.
    page.evaluate("""() => {
        const socket = window.KontaktcenterChatWidget.socket;
        const emit = socket.emit.bind(socket);
        socket.emit = (name, ...args) => name === 'user_uttered' ? socket : emit(name, ...args);
    }""")
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    box.fill("Hallå?")
    box.press("Enter")
    expect(page.locator(".kc-typing")).to_be_visible()

    notice = page.locator(".kc-msg--system").last
    expect(notice).to_contain_text("Inget svar har kommit ännu", timeout=10_000)
    facts = get_facts(web_server.settings.config_dir)
    expect(notice.get_by_role("link", name=facts.phone)).to_have_attribute(
        "href", "tel:" + facts.phone_e164)
    expect(page.locator(".kc-typing")).to_be_hidden()
    expect(page.locator(".kc-live")).to_contain_text("Inget svar har kommit ännu")


# ------------------------------------------------------------------ the notice, once


def test_public_record_notice_is_shown_once(page: Page) -> None:
    open_widget(page)
    say(page, "Hej")
    expect(page.locator(".kc-panel").get_by_text("allmän handling")).to_have_count(1)
    expect(page.locator(".kc-notice")).to_contain_text("allmän handling")


# ------------------------------------------------------------------ keep and end


def download_text(page: Page, button_name: str, scope: str = ".kc-panel") -> tuple[str, str]:
    with page.expect_download() as info:
        page.locator(scope).get_by_role("button", name=button_name).click()
    download = info.value
    path = download.path()
    assert path is not None
    return download.suggested_filename, Path(path).read_text(encoding="utf-8")


def test_end_asks_first_offers_download_and_satisfaction_reaches_the_register(
    page: Page, web_server: WebServer, screenshots: Path
) -> None:
    open_widget(page)
    say(page, "Vilka öppettider har ni?")
    say(page, "Ring mig på 070-123 45 67")
    conversation = session_id(page)
    number = case_number(page)
    messages = page.locator(".kc-msg").count()

    # Ending asks first; "Fortsätt chatta" keeps everything.
    page.get_by_role("button", name="Avsluta samtalet").click()
    sheet = page.get_by_role("group", name="Vill du avsluta samtalet?")
    expect(sheet).to_be_visible()
    page.screenshot(path=str(screenshots / "widget-end-confirmation.png"))
    sheet.get_by_role("button", name="Fortsätt chatta").click()
    expect(sheet).to_be_hidden()
    expect(page.locator(".kc-msg")).to_have_count(messages)
    expect(page.get_by_role("textbox", name="Skriv ditt meddelande")).to_be_focused()

    # Keep it before ending: HTML with the number, the date and the masked text.
    page.get_by_role("button", name="Avsluta samtalet").click()
    name, html = download_text(page, "Ladda ner som webbsida (HTML)")
    assert name == f"chatt-{number}.html"
    assert number in html and "Vilka öppettider har ni?" in html
    assert "[telefonnummer borttaget]" in html and "070-123 45 67" not in html
    assert re.search(r"\d{4}-\d{2}-\d{2}", html)

    sheet.get_by_role("button", name="Avsluta och rensa").click()
    expect(page.locator(".kc-msg--user")).to_have_count(0)
    expect(page.locator(".kc-msg--system").last).to_contain_text("Samtalet är avslutat")
    stored = page.evaluate("() => localStorage.getItem('kontaktcenterChat.v1') || ''")
    assert "Vilka öppettider" not in stored and conversation not in stored

    # ... and after ending, as plain text.
    name, text = download_text(page, "Ladda ner som text", ".kc-kept")
    assert name == f"chatt-{number}.txt"
    assert f"Ärendenummer (diarienummer): {number}" in text
    assert "Du\nRing mig på [telefonnummer borttaget]" in text

    # "Fick du hjälp?" once, stored with the ärende.
    survey = page.get_by_role("group", name="Fick du hjälp?")
    expect(survey).to_be_visible()
    newest_survey = page.locator(".kc-survey")
    page.screenshot(path=str(screenshots / "widget-satisfaction.png"))
    newest_survey.get_by_role("button", name="Skicka svar").click()
    expect(newest_survey.get_by_role("status")).to_have_text("Välj ett betyg från 1 till 5.")
    survey.get_by_role("radio", name="4").check()
    newest_survey.get_by_role("textbox", name="Kommentar (frivilligt)").fill(
        "Bra, men mejla mig på anna@example.se")
    newest_survey.get_by_role("button", name="Skicka svar").click()
    expect(newest_survey).to_contain_text("Tack för ditt svar!")

    answer = satisfaction_for(get_database(web_server.settings.database_url), number)
    assert answer is not None and answer.score == 4
    assert answer.comment == "Bra, men mejla mig på [e-post borttagen]"


def test_transcript_is_only_ever_the_callers_own(
    browser: Browser, page: Page, web_server: WebServer
) -> None:
    open_widget(page)
    say(page, "Var ligger kontaktcenter?")
    mine = session_id(page)
    number = case_number(page)

    other_context, other, _ = new_page(browser, web_server, {"width": 1280, "height": 800}, 1)
    try:
        open_widget(other)
        say(other, "Hemlig fråga från en annan invånare")
        case_number(other)
        page.get_by_role("button", name="Spara samtalet").click()
        _, text = download_text(page, "Ladda ner som text")
    finally:
        other_context.close()
    assert number in text and "Var ligger kontaktcenter?" in text
    assert "Hemlig fråga" not in text and mine not in text

    # Without the conversation's id nothing is given, whatever else is asked for.
    for body in ({"conversation": uuid.uuid4().hex, "format": "text"},
                 {"diarienummer": number, "format": "text"}):
        status = page.evaluate(
            """async (body) => (await fetch('/widget/transcript', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})).status""",
            body)
        assert status in (400, 404)


def test_staff_closing_asks_fick_du_hjalp_once(page: Page, web_server: WebServer) -> None:
    open_widget(page)
    say(page, "Hej")
    conversation = session_id(page)
    number = case_number(page)
    closing = {"event": "bot", "text": "Tack för i dag!",
               "metadata": {"kc_agent": "Anna", "kc_closed": True}}

    post_bot_event(web_server, conversation, closing)

    survey = page.locator(".kc-survey")
    expect(survey.get_by_role("group", name="Fick du hjälp?")).to_be_visible()
    survey.get_by_role("radio", name="2").check()
    survey.get_by_role("button", name="Skicka svar").click()
    expect(survey).to_contain_text("Tack för ditt svar!")
    answer = satisfaction_for(get_database(web_server.settings.database_url), number)
    assert answer is not None and answer.score == 2 and answer.comment is None

    # The same ärende closed again: no second question.
    post_bot_event(web_server, conversation, closing)
    expect(page.locator(".kc-msg--system")).to_have_count(2)
    expect(page.get_by_role("group", name="Fick du hjälp?")).to_have_count(0)


# ------------------------------------------------------------------ minimised, reload


def test_unread_badge_and_title_while_minimised_and_open_state_over_reload(
    page: Page, web_server: WebServer, screenshots: Path
) -> None:
    title = page.title()
    open_widget(page)
    say(page, "Hej")
    conversation = session_id(page)
    page.keyboard.press("Escape")
    launcher = page.get_by_role("button", name="Chatta med oss")
    expect(launcher).to_be_focused()

    post_bot_event(web_server, conversation,
                   {"event": "bot", "text": "Hej igen, jag är tillbaka.", "metadata": {"kc_agent": "Anna"}})

    expect(launcher.locator(".kc-badge")).to_be_visible()
    expect(launcher).to_have_accessible_name(re.compile("1 nytt meddelande"))
    expect(page).to_have_title(f"(1) {title}")
    page.screenshot(path=str(screenshots / "widget-unread-badge.png"))

    page.reload()  # closed stays closed, the badge stays
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher.locator(".kc-badge")).to_be_visible()

    launcher.click()
    expect(launcher).to_be_hidden()
    expect(page).to_have_title(title)
    page.reload()  # open stays open
    expect(page.get_by_role("dialog", name="Chatta med kontaktcenter")).to_be_visible()
    expect(page.locator(".kc-msg--agent")).to_contain_text("Hej igen")


# ------------------------------------------------------------------ links, start, language


def test_phone_numbers_and_web_addresses_become_links(page: Page, web_server: WebServer) -> None:
    open_widget(page)
    say(page, "Hej")
    text = ("Ring 042-10 50 00 eller +46 42 10 50 00, läs på www.helsingborg.se. "
            "Ärende KC-2026-000123 den 2026-12-24 kl. 08.00.")
    post_bot_event(web_server, session_id(page),
                   {"event": "bot", "text": text, "metadata": {"kc_agent": "Anna"}})
    message = page.locator(".kc-msg--agent .kc-msg__text")
    expect(message).to_have_text(re.compile(r"^Ring 042-10 50 00"))
    links = message.get_by_role("link")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_have_attribute("href", "tel:+4642105000")
    expect(links.nth(0)).to_have_text("042-10 50 00")
    expect(links.nth(1)).to_have_attribute("href", "tel:+4642105000")
    expect(links.nth(2)).to_have_attribute("href", "https://www.helsingborg.se/")
    expect(links.nth(2)).to_have_attribute("rel", "noopener noreferrer")


def test_start_buttons_offer_the_common_topics(page: Page) -> None:
    open_widget(page)
    start = page.get_by_role("group", name="Vanliga frågor")
    for topic in ("Öppettider", "Kontakt", "HiD", "Prata med en kommunvägledare"):
        expect(start.get_by_role("button", name=topic)).to_be_visible()
    before = bot_messages(page).count()

    start.get_by_role("button", name="Öppettider").click()

    expect(page.locator(".kc-msg--user .kc-msg__text")).to_have_text("Vilka öppettider har ni?")
    expect(bot_messages(page)).not_to_have_count(before)
    expect(bot_messages(page).first).to_contain_text(re.compile("öppe", re.I))
    expect(start).to_have_count(0)


def test_english_sentence_is_marked_as_english(page: Page) -> None:
    open_widget(page)
    say(page, "Do you speak English?")
    english = page.locator(".kc-msg--bot [lang=en]")
    expect(english).to_have_count(1)
    expect(english).to_contain_text("Sorry, I only understand Swedish.")
    swedish = page.locator(".kc-msg--bot .kc-msg__text").filter(has=page.locator("[lang=en]"))
    expect(swedish).to_contain_text("Jag förstår tyvärr bara svenska")


# ------------------------------------------------------------------ embed API, statement


def test_embed_api_opens_sends_and_reports_events(page: Page) -> None:
    page.evaluate("""() => {
        window.__kcEvents = [];
        for (const name of ['opened', 'closed', 'message', 'case']) {
            window.addEventListener('kontaktcenter:' + name,
                (e) => window.__kcEvents.push([name, e.detail && (e.detail.who || e.detail.diarienummer || '')]));
        }
    }""")
    page.wait_for_function("() => window.KontaktcenterChatWidget")
    page.evaluate("() => window.KontaktcenterChatWidget.open()")
    expect(page.get_by_role("dialog", name="Chatta med kontaktcenter")).to_be_visible()
    expect(page.locator(".kc-status")).to_have_text("Ansluten")
    assert page.evaluate("() => window.KontaktcenterChatWidget.send('Vad har ni för telefonnummer?')")
    expect(bot_messages(page).first).to_be_visible()
    case_number(page)
    page.evaluate("() => window.KontaktcenterChatWidget.close()")
    expect(page.get_by_role("dialog")).to_be_hidden()

    names = [name for name, _ in page.evaluate("() => window.__kcEvents")]
    assert names[0] == "opened" and names[-1] == "closed"
    assert ["message", "user"] in page.evaluate("() => window.__kcEvents")
    assert ["message", "bot"] in page.evaluate("() => window.__kcEvents")
    assert "case" in names


def test_accessibility_statement_is_linked_from_widget_and_page(page: Page, web_server: WebServer) -> None:
    expect(page.get_by_role("link", name="Tillgänglighetsredogörelse för chatten")).to_have_attribute(
        "href", "/tillganglighet")
    open_widget(page)
    link = page.locator(".kc-footer").get_by_role("link", name=re.compile("Tillgänglighet"))
    expect(link).to_have_attribute("href", web_server.url + "/tillganglighet")
    page.goto(web_server.url + "/tillganglighet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsredogörelse för chatten")
    expect(page.get_by_role("link", name="kontakta Digg och påtala bristen")).to_have_attribute(
        "href", "https://www.digg.se/tdosanmalan")
