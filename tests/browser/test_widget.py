"""The resident's chat widget in headless Chromium against the running product."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from kontaktcenter.facts import get_facts
from kontaktcenter.records import get_register
from tests.browser.conftest import (
    NONSENSE_TEXT,
    WebServer,
    bot_messages,
    open_widget,
    post_bot_event,
    say,
    session_id,
    user_texts,
    wait_quiet,
)

pytestmark = pytest.mark.browser
NONSENSE = NONSENSE_TEXT


def test_question_gets_answer_with_speaker_time_notice_and_case_number(
    page: Page, web_server: WebServer
) -> None:
    asked_for_case: list[str] = []  # the number must be pushed, not polled for
    page.on("request", lambda r: asked_for_case.append(r.url) if "/widget/case" in r.url else None)
    open_widget(page)
    facts = get_facts(web_server.settings.config_dir)
    notice = page.locator(".kc-notice")
    expect(notice).to_contain_text("allmän handling")
    expect(notice.get_by_role("link", name=re.compile("personuppgifter"))).to_have_attribute(
        "href", re.compile(re.escape(facts.privacy_url))
    )
    expect(page.locator(".kc-call a")).to_have_attribute("href", "tel:" + facts.phone_e164)

    say(page, "Vilka öppettider har ni?")

    mine = page.locator(".kc-msg--user").last
    expect(mine.locator(".kc-msg__who")).to_have_text("Du")
    expect(mine.locator(".kc-msg__text")).to_have_text("Vilka öppettider har ni?")
    answer = bot_messages(page).filter(has_text=re.compile("öppettider", re.I)).last
    expect(answer).to_be_visible()
    expect(answer.locator(".kc-msg__who")).to_have_text("Chattbot")
    expect(answer.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator(".kc-typing")).to_be_hidden()
    # The live region reads new bot messages politely.
    expect(page.locator(".kc-live[aria-live=polite]")).to_contain_text("Chattbot:")

    # The diarienummer of this conversation's ärende, from the register, in the header.
    conversation = session_id(page)
    expect(page.locator(".kc-case__number")).to_have_text(re.compile(r"\S+"), timeout=15_000)
    case = get_register(web_server.settings.database_url).case_for_conversation(conversation)
    assert case is not None
    expect(page.locator(".kc-case__number")).to_have_text(case.diarienummer)
    assert asked_for_case == []


def test_quick_reply_button_sends_its_payload(page: Page, web_server: WebServer) -> None:
    open_widget(page)
    say(page, NONSENSE)
    say(page, NONSENSE)
    offer = bot_messages(page).filter(has_text="kommunvägledare").last
    group = offer.get_by_role("group", name="Svarsalternativ")
    expect(group.get_by_role("button")).to_have_count(2)
    before = bot_messages(page).count()

    group.get_by_role("button", name="Ja, tack").click()

    expect(page.locator(".kc-msg--user").last.locator(".kc-msg__text")).to_have_text("Ja, tack")
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".kc-replies")).to_have_count(0)
    assert user_texts(web_server.stack, session_id(page))[-1] == "/affirm"


def test_reload_keeps_conversation_and_history(page: Page, web_server: WebServer) -> None:
    open_widget(page)
    say(page, "Hej")
    conversation = session_id(page)
    shown = page.locator(".kc-msg").all_inner_texts()

    page.reload()
    # The chat was open: it opens again by itself after the reload.
    expect(page.get_by_role("dialog", name="Chatta med kontaktcenter")).to_be_visible()
    expect(page.locator(".kc-status")).to_have_text("Ansluten")

    assert session_id(page) == conversation
    assert page.locator(".kc-msg").all_inner_texts() == shown
    say(page, "Vad har ni för telefonnummer?")
    assert user_texts(web_server.stack, conversation)[-2:] == ["Hej", "Vad har ni för telefonnummer?"]


def test_message_written_while_disconnected_is_sent_on_reconnect(
    page: Page, context: BrowserContext, web_server: WebServer
) -> None:
    open_widget(page)
    say(page, "Hej")
    conversation = session_id(page)

    context.set_offline(True)
    page.evaluate("() => window.KontaktcenterChatWidget.socket.io.engine.close()")
    expect(page.locator(".kc-status")).to_have_text(re.compile("Anslutningen bröts"))
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    box.fill("Var ligger kontaktcenter?")
    box.press("Enter")
    pending = page.locator(".kc-msg--pending")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Skickas när anslutningen fungerar igen")
    before = bot_messages(page).count()

    context.set_offline(False)

    expect(page.locator(".kc-status")).to_have_text("Ansluten", timeout=30_000)
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".kc-msg--pending")).to_have_count(0)
    assert session_id(page) == conversation
    assert user_texts(web_server.stack, conversation)[-1] == "Var ligger kontaktcenter?"


UNACKED = """() => window.KontaktcenterChatWidget.store.state.transcript
    .filter((e) => e.unacked).map((e) => e.text)"""
ALL_ACKED = """() => window.KontaktcenterChatWidget.store.state.transcript
    .every((e) => !e.unacked)"""


def bot_events_after(stack, conversation: str, text: str) -> int:  # type: ignore[no-untyped-def]
    """How many bot messages the tracker holds after the resident's ``text``."""
    status, tracker = stack.api(f"/conversations/{conversation}/tracker")
    assert status == 200, tracker
    events = tracker["events"]
    at = max((i for i, e in enumerate(events) if e.get("event") == "user"
              and e.get("text") == text), default=None)
    return 0 if at is None else sum(1 for e in events[at:] if e.get("event") == "bot")


@pytest.mark.parametrize("answer_arrived", [False, True], ids=["answer-lost", "ack-lost"])
def test_a_message_never_acknowledged_is_sent_again_and_kept_once(
    page: Page, web_server: WebServer, answer_arrived: bool
) -> None:
    """The server saved the turn, then the connection broke before the widget had the
    acknowledgement (a Rasa server killed mid-turn): sent again with the same delivery id,
    it is stored once, and the answer is shown once, whether it had arrived or not."""
    open_widget(page)
    say(page, "Hej")
    conversation = session_id(page)
    question = "Var ligger kontaktcenter?"
    page.evaluate("""(dropAnswers) => {
        const w = window.KontaktcenterChatWidget;
        w.acknowledged = function () {};
        if (dropAnswers) w.onBotMessage = function () {};
    }""", not answer_arrived)
    before = bot_messages(page).count()
    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(".kc-msg--user").last).to_contain_text(question)
    deadline = 60
    while bot_events_after(web_server.stack, conversation, question) == 0 and deadline:
        page.wait_for_timeout(500)
        deadline -= 1
    assert bot_events_after(web_server.stack, conversation, question) > 0
    if answer_arrived:
        expect(bot_messages(page)).not_to_have_count(before)
    wait_quiet(page)
    shown_before = bot_messages(page).count()
    assert (shown_before > before) is answer_arrived
    assert page.evaluate(UNACKED) == [question]

    page.evaluate("""() => {
        const w = window.KontaktcenterChatWidget;
        delete w.acknowledged;
        delete w.onBotMessage;
        w.socket.io.engine.close();
    }""")
    expect(page.locator(".kc-status")).to_have_text("Ansluten", timeout=30_000)
    page.wait_for_function(ALL_ACKED, timeout=30_000)
    wait_quiet(page)

    assert user_texts(web_server.stack, conversation).count(question) == 1
    answers = bot_events_after(web_server.stack, conversation, question)
    # The answer is on screen once: shown then, or repeated now.
    expect(bot_messages(page)).to_have_count(before + answers)
    register = get_register(web_server.settings.database_url)

    def registered() -> int:
        case = register.case_for_conversation(conversation)
        detail = register.get_case(case.diarienummer) if case else None
        return [m.text for m in detail.messages].count(question) if detail else 0

    for _ in range(60):  # the register writes in the background: wait for the first copy
        if registered():
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(2000)  # and give a second copy the time to show up, were it kept
    assert registered() == 1


def test_html_and_script_from_resident_and_server_render_as_text(
    page: Page, web_server: WebServer
) -> None:
    open_widget(page)
    payloads = ['<img src=x onerror="window.__kcXss=1">', "<script>window.__kcXss=2</script>"]
    for text in payloads:
        say(page, text)
    conversation = session_id(page)
    # A staff message from the console: HTML, a safe link, a javascript: URL, a name.
    hostile = ('<b>fet</b><img src=x onerror="window.__kcXss=3"> Läs https://example.org/a?b=1. '
               "javascript:window.__kcXss=4")
    post_bot_event(web_server, conversation,
                   {"event": "bot", "text": hostile, "metadata": {"kc_agent": "Anna"}})
    agent = page.locator(".kc-msg--agent").last
    expect(agent.locator(".kc-msg__who")).to_have_text("Kommunvägledare Anna")

    texts = page.locator(".kc-msg--user .kc-msg__text").all_inner_texts()
    for text in payloads:
        assert text in texts
    expect(agent.locator(".kc-msg__text")).to_contain_text('<b>fet</b><img src=x onerror="')
    log = page.locator(".kc-log")
    expect(log.locator("img, script, b")).to_have_count(0)
    links = agent.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/a?b=1")
    assert page.evaluate("() => window.__kcXss") is None

    # Staff close the chat: a clear Swedish notice.
    post_bot_event(web_server, conversation,
                   {"event": "bot", "text": "Tack för i dag!",
                    "metadata": {"kc_agent": "Anna", "kc_closed": True}})
    expect(page.locator(".kc-msg--system").last).to_contain_text("Chatten är avslutad")


def test_keyboard_only_round_trip(page: Page) -> None:
    launcher = page.get_by_role("button", name="Chatta med oss")
    for _ in range(20):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Chattknappen går inte att nå med Tab.")
    assert launcher.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")

    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    expect(box).to_be_focused()
    expect(page.locator(".kc-status")).to_have_text("Ansluten")
    for _ in range(2):
        before = bot_messages(page).count()
        page.keyboard.type(NONSENSE)
        page.keyboard.press("Enter")
        expect(bot_messages(page)).not_to_have_count(before)
        wait_quiet(page)
    expect(page.locator(".kc-reply")).to_have_count(2)

    # Shift+Tab from the text box back into the log reaches the choices.
    yes = page.get_by_role("button", name="Ja, tack")
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if yes.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Svarsknappen går inte att nå med tangentbordet.")
    assert yes.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    expect(bot_messages(page)).not_to_have_count(before)
    expect(box).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_unreachable_server_gives_swedish_message_and_phone(
    page: Page, web_server: WebServer
) -> None:
    config = json.loads(urllib.request.urlopen(web_server.url + "/widget/config.json").read())
    config["socketPath"] = "/finns-inte/"

    def broken_config(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(config))

    page.route("**/widget/config.json", broken_config)
    page.reload()
    open_widget_disconnected(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Chatten går inte att nå just nu", timeout=30_000)
    phone = get_facts(web_server.settings.config_dir).phone
    expect(alert.get_by_role("link", name=phone)).to_be_visible()

    box = page.get_by_role("textbox", name="Skriv ditt meddelande")
    box.fill("Hallå?")
    box.press("Enter")
    expect(page.locator(".kc-msg--pending")).to_contain_text("Hallå?")


def open_widget_disconnected(page: Page) -> None:
    page.get_by_role("button", name="Chatta med oss").click()
    expect(page.get_by_role("dialog", name="Chatta med kontaktcenter")).to_be_visible()


def test_reduced_motion_turns_animation_off(page: Page, context: BrowserContext) -> None:
    page.emulate_media(reduced_motion="reduce")
    open_widget(page)
    assert page.locator(".kc-panel").evaluate("el => getComputedStyle(el).animationName") == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert page.locator(".kc-panel").evaluate("el => getComputedStyle(el).animationName") != "none"
