"""Every kind of bad input over REST and socket.io: polite Swedish, no 5xx, registered once.

The corpus (tests/e2e/bad_input_corpus.py) has more than 80 kinds. Each is sent as the
first message of its own conversation, so "in the register exactly once" is exact.
Refused texts (nothing to keep, or over the one length limit) get a Swedish refusal and
are in the register zero times: the bot never calls them saved.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.bad_input_corpus import CORPUS, REFUSED
from tests.e2e.residents import (
    SocketResident,
    is_polite_swedish,
    resident_messages,
    stored_text,
    wait_until,
)
from tests.e2e.stack import RasaStack
from tests.faults.report import record

pytestmark = pytest.mark.e2e


def test_the_corpus_has_at_least_80_kinds() -> None:
    assert len({kind for kind, _ in CORPUS}) == len(CORPUS) >= 80


def record_corpus(channel: str, results: dict[str, tuple[str, str]], problems: list[str]) -> None:
    """The corpus's line of the issue 11 table (each kind sent once)."""
    failed = {p.split(":", 1)[0] for p in problems}
    accepted = [k for k in results if k not in REFUSED]
    record(f"Felaktig indata, {len(results)} sorter ({channel})", accepted=len(accepted),
           once=sum(k not in failed for k in accepted),
           refused=sum(k in REFUSED and k not in failed for k in results),
           silent=sum(k in REFUSED and k in failed for k in results),
           note=f"{len(problems)} problem (5xx, inget svar, ej svenska, fel i registret)")


def check_registered(stack: RasaStack, results: dict[str, tuple[str, str]]) -> list[str]:
    """Problems with the register for {kind: (conversation, text)}; empty when all good."""
    url = stack.env["KC_DATABASE_URL"]
    accepted = {k: v for k, v in results.items() if k not in REFUSED}
    wait_until(lambda: all(resident_messages(url, c) for c, _ in accepted.values()), 90)
    problems = []
    for kind, (conversation, text) in results.items():
        stored = resident_messages(url, conversation)
        if kind in REFUSED:
            if stored:
                problems.append(f"{kind}: refused but registered {stored!r}"[:200])
        elif len(stored) != 1 or stored[0][1] != stored_text(text):
            problems.append(f"{kind}: registered {len(stored)} times: {stored!r}"[:200])
    return problems


def test_rest_corpus(stack: RasaStack) -> None:
    def send(item: tuple[str, str]) -> tuple[str, str, int, object]:
        kind, text = item
        sender = f"corpus-{kind}-{uuid.uuid4().hex[:6]}"
        status, replies = stack.post_rest({"sender": sender, "message": text})
        return kind, sender, status, replies

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(send, CORPUS))
    texts = dict(CORPUS)
    problems = []
    for kind, sender, status, replies in outcomes:
        said = [r.get("text", "") for r in replies] if isinstance(replies, list) else []
        answer = " ".join(said)  # no notice over REST: the widget shows it
        expected = (200,)  # refused kinds too: answered in Swedish, in the reply format
        if status not in expected or not answer or not is_polite_swedish(answer):
            problems.append(f"{kind}: HTTP {status} {said!r}"[:200])
    results = {kind: (sender, texts[kind]) for kind, sender, _, _ in outcomes}
    problems += check_registered(stack, results)
    record_corpus("REST", results, problems)
    assert not problems, "\n".join(problems)


def test_socketio_corpus(stack: RasaStack) -> None:
    """One socket (as a widget), a new conversation per kind (``session_request``)."""
    problems = []
    results: dict[str, tuple[str, str]] = {}
    resident = SocketResident(stack.url)
    try:
        for kind, text in CORPUS:
            resident.start()  # leaves the previous conversation's room
            # Accepted first messages get the pushed case number (no text) and then the answer,
            # which may come as several messages ("Hej!", then what was asked): the turn's
            # messages are read until they answer, for at most 15 s.
            start = len(resident.replies)
            resident.say(text, replies=1 if kind in REFUSED else 2)

            def answer_so_far(start: int = start, kind: str = kind) -> str:
                said = [r.get("text", "") for r in resident.replies[start:]]
                return " ".join(said if kind in REFUSED else said[1:])

            wait_until(lambda: is_polite_swedish(answer_so_far()), 15)
            said = [r.get("text", "") for r in resident.replies[start:]]
            answer = answer_so_far()
            if not is_polite_swedish(answer):
                problems.append(f"{kind}: {said!r}"[:200])
            results[kind] = (resident.conversation, text)
    finally:
        resident.close()
    problems += check_registered(stack, results)
    record_corpus("socket.io", results, problems)
    assert not problems, "\n".join(problems)
