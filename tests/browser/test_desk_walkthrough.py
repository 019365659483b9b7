"""Issue 12, "Done when": residents and two kommunvägledare through a day at the desk.

Real Rasa, actions and register (the browser package's stack on an open Thursday), the
real web app with its console, Debian's chromium. The agents work with the keyboard
alone (every control is reached with Tab, used with Enter, Space or arrows), and axe
checks every console page they pass.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from kontaktcenter.clock import now_utc
from kontaktcenter.db import get_database
from kontaktcenter.desk.presence import AWAY, Routing
from kontaktcenter.handover import HandoverService, texts
from kontaktcenter.handover.contact import Contact
from kontaktcenter.records.models import AuditEntry, Case
from kontaktcenter.records.register import Register
from kontaktcenter.records.states import State
from kontaktcenter.staff import StaffDirectory
from tests.browser.conftest import WebServer, open_widget, say, session_id
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

PASSWORD = "ett-långt-lösenord-42"
MAX_TABS = 80


@dataclass
class Agent:
    username: str
    name: str
    page: Page
    problems: list[str] = field(default_factory=list)


def checked_page(browser: Browser, problems: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE",
                                  timezone_id="Europe/Stockholm")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    return page


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Move the focus with Tab (or Shift+Tab) until ``target`` has it: keyboard only."""
    for _ in range(MAX_TABS):
        if target.evaluate("node => node === document.activeElement", timeout=5_000):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {target}")


def press(page: Page, target: Locator, key: str = "Enter") -> None:
    try:
        target.wait_for()
        tab_to(page, target)
    except Exception as err:
        raise AssertionError(f"{page.url}: {page.locator('main').inner_text()}") from err
    page.keyboard.press(key)


def no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n" + describe(violations)


def log_in(agent: Agent, url: str) -> None:
    page = agent.page
    page.goto(url + "/console/login")
    no_axe_violations(page)
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(agent.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#queue-rows")).to_be_visible()


def set_status(agent: Agent, word: str) -> None:
    page = agent.page
    press(page, page.get_by_role("link", name="Min status"))
    expect(page.get_by_role("heading", name="Min status")).to_be_visible()
    no_axe_violations(page)
    # Tab reaches the group at its checked radio; arrows move (and select) within it.
    tab_to(page, page.get_by_role("radio", checked=True))
    for _ in range(3):
        if page.get_by_role("radio", name=word).is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=word)).to_be_checked()
    press(page, page.get_by_role("button", name="Spara status"))
    expect(page.locator("main p").first).to_contain_text(f"Du är {word}")


@pytest.fixture
def agents(browser: Browser, web_server: WebServer) -> Iterator[tuple[Agent, Agent]]:
    db = web_server.settings.database_url
    staff = StaffDirectory(db)
    suffix = uuid.uuid4().hex[:6]
    made = []
    for first in ("Anna", "Bo"):
        username = f"{first.lower()}{suffix}"
        staff.add(username, f"{first} Andersson", "kommunvägledare", PASSWORD)
        problems: list[str] = []
        made.append(Agent(username, first, checked_page(browser, problems), problems))
    try:
        yield made[0], made[1]
    finally:
        routing = Routing(db)
        for agent in made:  # other tests expect nobody at the desk
            routing.set_status(agent.username, AWAY)
            agent.page.context.close()
    for agent in made:
        assert agent.problems == [], agent.problems


def resident(browser: Browser, url: str, problems: list[str]) -> Page:
    page = checked_page(browser, problems)
    page.context.set_default_timeout(30_000)
    page.goto(url + "/")
    open_widget(page)
    return page


def case_row(db: str, diarienummer: str) -> Case:
    with get_database(db).session() as session:
        row = session.execute(
            select(Case).where(Case.diarienummer == diarienummer)).scalar_one()
        session.expunge(row)
        return row


def audit_trail(db: str, diarienummer: str) -> str:
    """The ärende's moves, to explain a failed check."""
    with get_database(db).session() as session:
        rows = session.execute(select(AuditEntry).where(AuditEntry.diarienummer == diarienummer)
                               .order_by(AuditEntry.id)).scalars()
        return "\n".join(f"{a.at} {a.actor} {a.action} {a.reason}" for a in rows)


def test_two_agents_and_residents_through_the_desk_by_keyboard(
    browser: Browser, web_server: WebServer, agents: tuple[Agent, Agent]
) -> None:
    url, db = web_server.url, web_server.settings.database_url
    anna, bo = agents
    routing = Routing(db)
    problems: list[str] = []

    # -- Logging in does not make anyone available; with nobody available, no queue.
    log_in(anna, url)
    log_in(bo, url)
    no_axe_violations(anna.page)
    assert routing.status_of(anna.username) == AWAY
    first = resident(browser, url, problems)
    say(first, "jag vill prata med en människa")
    expect(first.locator(".kc-msg--bot").last).to_contain_text(
        "Just nu kan ingen kommunvägledare ta emot chatten")
    one = session_id(first)
    assert HandoverService(db).active_for_conversation(one) is None
    say(first, "nej tack")

    # -- One agent available: residents queue, and see their place move.
    set_status(anna, "tillgänglig")
    say(first, "jag vill prata med en människa")
    expect(first.locator(".kc-msg--bot").last).to_contain_text("i kön")
    expect(first.locator(".kc-queue")).to_have_text("Du är först i kön.")
    second = resident(browser, url, problems)
    say(second, "jag vill prata med en människa")
    expect(second.locator(".kc-queue")).to_have_text("Du är nummer 2 i kön.")
    two = session_id(second)
    number_one = HandoverService(db).active_for_conversation(one)
    number_two = HandoverService(db).active_for_conversation(two)
    assert number_one is not None and number_two is not None
    case_one, case_two = number_one.diarienummer, number_two.diarienummer
    assert case_one and case_two

    # -- Anna takes the first resident (pushed to her queue), by keyboard.
    page = anna.page
    press(page, page.get_by_role("link", name="Kö", exact=True))
    row = page.get_by_role("row").filter(has_text=case_one)
    expect(row).to_be_visible()
    no_axe_violations(page)
    press(page, row.get_by_role("button", name="Ta över"))
    expect(page.get_by_role("heading", name=f"Samtal {case_one}")).to_be_visible()
    expect(first.locator(".kc-msg--bot").last).to_contain_text(
        f"{anna.name} från kontaktcenter har anslutit")
    expect(first.locator(".kc-queue")).to_be_hidden()
    expect(second.locator(".kc-queue")).to_have_text("Du är först i kön.")  # live

    # -- Typing both ways, then a reply each way.
    reply_box = page.get_by_role("textbox", name="Ditt svar")
    expect(reply_box).to_be_focused()  # focus lands in the reply box
    first_box = first.get_by_role("textbox", name="Skriv ditt meddelande")
    first_box.press_sequentially("Det gäller bygg")
    expect(page.locator("#typing-status")).to_have_text("Invånaren skriver …")
    page.keyboard.type("Hej! Vad gäller det")
    expect(first.locator(".kc-typing")).to_be_visible()
    expect(first.locator(".kc-typing")).to_contain_text(f"{anna.name} skriver …")
    no_axe_violations(page)
    page.keyboard.type("?")
    page.keyboard.press("Enter")  # Enter sends
    agent_line = first.locator(".kc-msg--agent").last
    expect(agent_line).to_contain_text("Hej! Vad gäller det?")
    expect(agent_line).to_contain_text(anna.name)
    expect(first.locator(".kc-typing")).to_be_hidden()
    first_box.press_sequentially("lov för en altan")
    first_box.press("Enter")
    expect(page.locator("#transcript")).to_contain_text("Det gäller bygglov för en altan")
    # Writing with a person: no "Väntar på svar" line (nor its "no reply yet" notice).
    expect(first.locator(".kc-typing")).to_be_hidden()
    expect(page.locator("#typing-status")).to_have_text("")

    # -- An internal note: in the ärende, never with the resident.
    note = page.get_by_role("textbox", name="Ny anteckning")
    tab_to(page, note)
    page.keyboard.type("Vill ha svar om bygglov före fredag.")
    press(page, page.get_by_role("button", name="Spara anteckning"))
    expect(page.locator("#anteckningar .notes li")).to_contain_text(
        "Vill ha svar om bygglov före fredag.")
    expect(first.locator(".kc-log")).not_to_contain_text("före fredag")

    # -- A second chat: unread marks when the other resident writes.
    press(page, page.get_by_role("link", name="Kö", exact=True))
    row = page.get_by_role("row").filter(has_text=case_two)
    press(page, row.get_by_role("button", name="Ta över"))
    expect(page.get_by_role("heading", name=f"Samtal {case_two}")).to_be_visible()
    expect(second.locator(".kc-queue")).to_be_hidden()
    mine = page.get_by_role("navigation", name="Mina pågående samtal")
    press(page, mine.get_by_role("link", name=re.compile(case_one)))
    expect(page.get_by_role("heading", name=f"Samtal {case_one}")).to_be_visible()
    expect(mine.locator(".unread")).to_have_count(0)
    say_to_agent = second.get_by_role("textbox", name="Skriv ditt meddelande")
    say_to_agent.fill("Hallå, är ni kvar?")
    say_to_agent.press("Enter")
    unread = mine.get_by_role("listitem").filter(has_text=case_two).locator(".unread")
    expect(unread).to_have_text("1 nytt meddelande")
    expect(page.locator("#desk-live")).to_contain_text(f"1 nytt meddelande i {case_two}")
    no_axe_violations(page)
    press(page, mine.get_by_role("link", name=re.compile(case_two)))
    expect(page.locator("#transcript")).to_contain_text("Hallå, är ni kvar?")
    expect(mine.locator(".unread")).to_have_count(0)  # read now

    # -- Transfer to Bo with a note; Bo takes it and reads the note; the resident leaves.
    set_status(bo, "tillgänglig")
    page.reload()
    target = page.get_by_label("Överlämna till")
    tab_to(page, target)
    page.keyboard.press("ArrowDown")  # from "kön" to the one available colleague
    expect(target).to_have_value(bo.username)
    page.keyboard.press("Tab")
    page.keyboard.type("Frågar om parkering, inte bygglov.")
    press(page, page.get_by_role("button", name="Överlämna", exact=True))
    expect(page.get_by_role("heading", name="Väntande ärenden")).to_be_visible()
    expect(second.locator(".kc-log")).to_contain_text("Du kopplas vidare")
    bo_page = bo.page
    press(bo_page, bo_page.get_by_role("link", name="Kö", exact=True))
    row = bo_page.get_by_role("row").filter(has_text=case_two)
    expect(row).to_contain_text("(till dig)")
    press(bo_page, row.get_by_role("button", name="Ta över"))
    expect(bo_page.locator("#anteckningar .notes li")).to_contain_text(
        "Frågar om parkering, inte bygglov.")
    expect(second.locator(".kc-msg--bot").last).to_contain_text(
        f"{bo.name} från kontaktcenter har anslutit")
    no_axe_violations(bo_page)
    second.get_by_role("button", name="Avsluta samtalet").click()
    second.get_by_role("group", name="Vill du avsluta samtalet?").get_by_role(
        "button", name="Avsluta och rensa").click()
    expect(bo_page.locator("#transcript-notice")).to_have_text(texts.RESIDENT_LEFT)
    press(bo_page, bo_page.get_by_role("button", name="Avsluta ärende"))
    expect(bo_page.get_by_role("heading", name="Väntande ärenden")).to_be_visible()
    closed = case_row(db, case_two)
    assert closed.status == State.CLOSED.value, audit_trail(db, case_two)
    assert closed.handled_by == f"Bo Andersson ({bo.username})", audit_trail(db, case_two)

    # -- Anna hands the first back to the bot, then closes the ärende.
    press(page, page.locator("#mine").get_by_role("link", name=re.compile(case_one)))
    press(page, page.get_by_role("button", name="Lämna tillbaka till chattbotten"))
    expect(page.get_by_role("heading", name="Väntande ärenden")).to_be_visible()
    expect(first.locator(".kc-msg--bot").last).to_contain_text(texts.HANDED_BACK)
    back = page.locator("#mine").get_by_role("link", name=re.compile(case_one))
    press(page, back)
    expect(page.locator(".hint-status")).to_contain_text("tillbaka hos chattbotten")
    no_axe_violations(page)
    press(page, page.get_by_role("button", name="Avsluta ärende"))
    expect(page.get_by_role("heading", name="Väntande ärenden")).to_be_visible()
    expect(page.locator("#mine")).not_to_contain_text(case_one)
    closed = case_row(db, case_one)
    assert closed.status == State.CLOSED.value and closed.closed_at is not None
    assert closed.handled_by == f"Anna Andersson ({anna.username})"

    # -- A message left for återkoppling: handling it closes its ärende, with the note.
    conversation = "walkthrough-" + uuid.uuid4().hex[:8]
    case = Register(db).open_case(conversation, now_utc())
    HandoverService(db).leave_callback(conversation, "Kan ni ringa mig om bygglov?",
                                       Contact("telefon", "0701234567"), case.diarienummer)
    press(page, page.get_by_role("link", name="Återkoppling"))
    expect(page.get_by_role("heading", name="Meddelanden att återkoppla")).to_be_visible()
    no_axe_violations(page)
    card = page.locator("article").filter(has_text=case.diarienummer)
    tab_to(page, card.get_by_role("textbox", name="Anteckning"))
    page.keyboard.type("Ringde upp, svarade om bygglov.")
    press(page, card.get_by_role("button", name="Markera som hanterat"))
    expect(page.locator("article").filter(has_text=case.diarienummer)).to_have_count(0)
    handled = case_row(db, case.diarienummer)
    assert handled.status == State.CLOSED.value
    assert handled.handled_by == f"Anna Andersson ({anna.username})"
    assert handled.closing_note == "Ringde upp, svarade om bygglov."

    # -- Logging out makes an agent borta at once.
    press(page, page.get_by_role("button", name="Logga ut"))
    expect(page.locator("input[name=username]")).to_be_visible()
    assert routing.status_of(anna.username) == AWAY
    assert [a.username for a in routing.available()] == [bo.username]
    for tab in (first, second):
        tab.context.close()
    assert problems == [], problems
