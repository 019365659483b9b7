"""The running product answers residents over REST, correctly and in Swedish."""

from __future__ import annotations

import uuid

import pytest

from kontaktcenter.facts import get_facts
from tests.e2e.stack import ROOT, RasaStack

pytestmark = pytest.mark.e2e
FACTS = get_facts(ROOT / "config")


def texts(replies: list[dict]) -> str:
    return " ".join(r.get("text", "") for r in replies)


def ask(stack: RasaStack, message: str) -> str:
    return texts(stack.say(f"e2e-{uuid.uuid4().hex[:10]}", message))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Vad har ni för telefonnummer?", FACTS.phone),
        ("var ligger kontaktcentret", FACTS.address),
        ("Vad är Helsingborg Innovation District?", "Oceanhamnen"),
        ("när etableras HiD", "första halvåret 2023"),
        ("vem ska samordna innovationsdistriktet", "verksamhetsledare"),
        ("när var H22 City Expo", "2022"),
        ("sparas det jag skriver?", "allmän handling"),
        ("finns ni på sociala medier", "Instagram"),
    ],
)
def test_answers_are_true_to_the_source(stack: RasaStack, question: str, expected: str) -> None:
    assert expected in ask(stack, question)


def test_public_record_notice_is_left_to_the_widget(stack: RasaStack) -> None:
    """The widget shows the notice once, before the first message; the bot does not repeat it."""
    replies = stack.say(f"e2e-{uuid.uuid4().hex[:10]}", "Hej!")
    assert replies, "inget svar på en hälsning"
    assert all("allmän handling" not in (r.get("text") or "") for r in replies)


BAD_INPUTS = [
    "",
    "   ",
    "a" * 10_000,
    "hej " * 2500,
    "😀😀😀🎉",
    "<script>alert('x')</script>",
    "<b>öppettider</b>?",
    "\x00\x01\x02\x1b[31m",
    "öppet\x00tider",
    "What are your opening hours?",
    "Do you speak English?",
    "ﷺ مرحبا كيف حالك",
    "31 februari",
]


@pytest.mark.parametrize("message", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gets_a_polite_swedish_reply(stack: RasaStack, message: str) -> None:
    reply = ask(stack, message)
    assert reply.strip(), "the bot must always answer"
    swedish_markers = ("jag", "du", "vi", "har", "det", "är", "och", "inte")
    assert any(f" {w} " in f" {reply.lower()} " for w in swedish_markers), reply
    assert "Traceback" not in reply and "Error" not in reply


def test_rasa_api_requires_the_token(stack: RasaStack) -> None:
    """The API that can pause a chat or speak as a kommunvägledare needs the token."""
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "Hej")
    calls = [(f"/conversations/{sender}/tracker", "GET", None),
             (f"/conversations/{sender}/tracker/events", "POST", [{"event": "bot", "text": "x"}]),
             ("/status", "GET", None)]
    for path, method, body in calls:
        for token in (None, "wrong"):
            status, _ = stack.api(path, method=method, body=body, token=token)
            assert status == 401, (path, token)
    status, tracker = stack.api(f"/conversations/{sender}/tracker")
    assert status == 200 and [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["Hej"]
    assert not any(e.get("text") == "x" for e in tracker["events"])  # the refused post left no trace
    status, body = stack.api("/status")
    assert status == 200 and body["model_file"]


def test_a_conversation_becomes_one_arende_with_every_message(stack: RasaStack) -> None:
    import time

    from sqlalchemy import select

    from kontaktcenter.records import Register
    from kontaktcenter.records.models import Case

    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    opening = stack.say(sender, "Hej")
    first = texts(opening)
    pushed = [r["custom"]["kc_case"] for r in opening if "kc_case" in (r.get("custom") or {})]
    second = texts(stack.say(sender, "vad har ni för telefonnummer"))
    third = texts(stack.say(sender, "vad är mitt ärendenummer?"))
    assert "KC-" in third
    register = Register(stack.env["KC_DATABASE_URL"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        case = register.case_for_conversation(sender)
        detail = register.get_case(case.diarienummer) if case else None
        if detail and len(detail.messages) >= 6:  # 3 from the resident, 3 from the bot
            break
        time.sleep(0.3)
    assert case is not None and case.diarienummer in third
    assert pushed == []  # over REST no extra message; the web chat gets it pushed (handover e2e)
    with register.db.session() as session:  # exactly one ärende for the conversation
        numbers = session.execute(
            select(Case.diarienummer).where(Case.conversation_id == sender)
        ).scalars().all()
    assert numbers == [case.diarienummer]
    assert [m.seq for m in detail.messages] == list(range(1, len(detail.messages) + 1))
    assert [m.sent_at for m in detail.messages] == sorted(m.sent_at for m in detail.messages)
    roles = [m.sender_role for m in detail.messages]
    said = [m.text for m in detail.messages]
    assert roles.count("invånare") == 3, said
    assert roles.count("chattbot") >= 3, said  # greeting, phone, case number
    resident = [m.text for m in detail.messages if m.sender_role == "invånare"]
    assert resident == ["Hej", "vad har ni för telefonnummer", "vad är mitt ärendenummer?"]
    bot = [m.text for m in detail.messages if m.sender_role == "chattbot"]
    assert second in bot and third in bot
    assert first.startswith(bot[0])
    assert roles[-1] == "chattbot" and said.index(resident[1]) < said.index(second)
    assert "telefon" in detail.case.subject.lower() or "kontakt" in detail.case.subject.lower(), detail.case.subject


def test_50_concurrent_conversations_on_the_embedded_default(stack: RasaStack) -> None:
    from tests.e2e.concurrency import assert_concurrent_conversations_registered

    assert_concurrent_conversations_registered(stack, 50)


def test_open_now_follows_the_clock_of_every_process(
    stack: RasaStack, weekend_stack: RasaStack
) -> None:
    """KC_NOW reaches the action server and Rasa's date extractor, whatever the real hour."""
    weekday = ask(stack, "har ni öppet nu?")
    assert "Ja, vi har öppet nu till kl. 18.00" in weekday, weekday  # Thursday
    saturday = ask(weekend_stack, "har ni öppet nu?")
    assert "Nej, vi har stängt nu" in saturday and "måndag" in saturday, saturday
    # "på julafton" is this year's (2026) julafton on the stacks' clocks: a closed eve.
    eve = ask(stack, "har ni öppet på julafton?")
    assert "24 december" in eve and "stängt" in eve, eve


def test_a_retried_post_with_its_delivery_id_is_kept_once_and_answered_again(
    stack: RasaStack,
) -> None:
    """A client that lost the response (a timeout, a server that died) posts again with the
    same ``kc_delivery``: the same answers, one message in the conversation."""
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    body = {"sender": sender, "message": "Vad har ni för telefonnummer?",
            "kc_delivery": uuid.uuid4().hex}
    status, first = stack.post_rest(body)
    assert status == 200 and FACTS.phone in texts(first)  # type: ignore[arg-type]
    status, again = stack.post_rest(body)
    assert status == 200 and again == first
    status, other = stack.post_rest({**body, "kc_delivery": uuid.uuid4().hex})
    assert status == 200 and FACTS.phone in texts(other)  # type: ignore[arg-type]
    status, tracker = stack.api(f"/conversations/{sender}/tracker")
    assert status == 200
    said = [e["text"] for e in tracker["events"] if e.get("event") == "user"]  # type: ignore[index]
    assert said == [body["message"], body["message"]]
