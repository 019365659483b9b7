"""A flood through a forged X-Forwarded-For is still limited per real address (issue 11).

Its own product instance with ``KC_TRUSTED_PROXIES=127.0.0.1`` (this test plays the
proxy from 127.0.0.1) and a small per-address allowance. An attacker on 127.0.0.2, an
untrusted peer, forges a new header on every message over REST and socket.io; residents
behind the proxy are counted one by one, whatever they put left of the proxy's entry.
Every message is answered or refused out loud; the answered ones are in the register
exactly once and the refused ones nowhere.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from kontaktcenter.input_check import FLOOD_REFUSED
from tests.e2e.residents import SocketResident, resident_messages, wait_until
from tests.e2e.stack import RasaStack
from tests.faults.report import record

BURST = 6  # messages per address before the (almost zero) refill
PROXY, ATTACKER = "127.0.0.1", "127.0.0.2"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    running = RasaStack(tmp_path_factory.mktemp("proxied"), extra_env={
        "KC_TRUSTED_PROXIES": PROXY,
        "KC_FLOOD_ADDRESS_BURST": str(BURST),
        "KC_FLOOD_ADDRESS_PER_SECOND": "0.0001",
    }).start()
    try:
        yield running
    finally:
        running.stop()


def post(stack: RasaStack, source: str, sender: str, text: str,
         forwarded: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """One REST message from ``source`` (a loopback address) with these header lines."""
    conn = http.client.HTTPConnection("127.0.0.1", stack.rasa_port, timeout=60,
                                      source_address=(source, 0))
    try:
        conn.putrequest("POST", "/webhooks/rest/webhook")
        body = json.dumps({"sender": sender, "message": text}).encode()
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        for line in forwarded:
            conn.putheader("X-Forwarded-For", line)
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"[]")
    finally:
        conn.close()


class Tally:
    """What happened to each message: answered (and where), refused, or neither."""

    def __init__(self, stack: RasaStack) -> None:
        self.stack = stack
        self.answered: list[str] = []  # senders, one message each
        self.refused: list[str] = []
        self.lost: list[str] = []

    def send(self, source: str, text: str, forwarded: list[str]) -> str:
        who = f"proxied-{uuid.uuid4().hex[:12]}"
        status, replies = post(self.stack, source, who, text, forwarded)
        said = " ".join(r.get("text", "") for r in replies)
        if status == 429 and said == FLOOD_REFUSED:
            self.refused.append(who)
            return "refused"
        if status == 200 and said and FLOOD_REFUSED not in said:
            self.answered.append(who)
            return "answered"
        self.lost.append(who)
        return f"HTTP {status} {said!r}"

    def registered_once(self) -> int:
        url = self.stack.env["KC_DATABASE_URL"]
        wait_until(lambda: all(resident_messages(url, s) for s in self.answered), 90)
        assert all(resident_messages(url, s) == [] for s in self.refused)
        return sum(len(resident_messages(url, s)) == 1 for s in self.answered)


def test_a_forged_header_does_not_escape_the_limit_of_the_real_address(
    stack: RasaStack,
) -> None:
    tally = Tally(stack)
    # The attacker (untrusted peer) forges a new address, or a whole chain, every time.
    forger = [tally.send(ATTACKER, "Hej", [f"203.0.113.{n}", f"10.0.0.{n}, {PROXY}"])
              for n in range(3 * BURST)]
    assert forger == ["answered"] * BURST + ["refused"] * (2 * BURST), forger
    # A resident behind the proxy: the client wrote the left part, the proxy the right.
    resident = [tally.send(PROXY, "Hej", [f"198.51.100.{n + 100}, 198.51.100.7"])
                for n in range(2 * BURST)]
    assert resident == ["answered"] * BURST + ["refused"] * BURST, resident
    # Another resident behind the same proxy, and the proxy's own health check, are not
    # punished for either of them.
    assert tally.send(PROXY, "Hej", ["198.51.100.8"]) == "answered"
    assert tally.send(PROXY, "Hej", []) == "answered"
    once = tally.registered_once()
    record("Flood via förfalskad X-Forwarded-For (REST)", accepted=len(tally.answered),
           once=once, refused=len(tally.refused), silent=len(tally.lost),
           note=f"{BURST} per adress; förfalskaren begränsad som {ATTACKER}")
    assert not tally.lost and once == len(tally.answered)


class SourceAddress(HTTPAdapter):
    """Connections from a chosen loopback address (an untrusted peer for the test)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def socket_from(stack: RasaStack, source: str, forwarded: str) -> SocketResident:
    session = requests.Session()
    session.mount("http://", SourceAddress(source))
    return SocketResident(stack.url, headers={"X-Forwarded-For": forwarded},
                          http_session=session)


def test_socketio_counts_the_real_address_too(stack: RasaStack) -> None:
    url = stack.env["KC_DATABASE_URL"]
    answered: list[str] = []
    refused = 0
    # A new socket with a new forged address each time, from the untrusted peer 127.0.0.3.
    for n in range(BURST + 3):
        resident = socket_from(stack, "127.0.0.3", f"203.0.113.{n}")
        try:
            resident.start()
            reply = " ".join(r.get("text") or "" for r in resident.say("Hej", replies=1))
            if FLOOD_REFUSED in reply:
                refused += 1
            else:
                answered.append(resident.conversation)
        finally:
            resident.close()
    assert (len(answered), refused) == (BURST, 3)
    # Behind the trusted proxy the header names the resident.
    behind = socket_from(stack, PROXY, "203.0.113.50, 198.51.100.30")
    try:
        behind.start()
        assert FLOOD_REFUSED not in " ".join(r.get("text") or ""
                                             for r in behind.say("Hej", replies=1))
        answered.append(behind.conversation)
    finally:
        behind.close()
    assert wait_until(lambda: all(resident_messages(url, c) for c in answered), 90)
    once = sum(len(resident_messages(url, c)) == 1 for c in answered)
    record("Flood via förfalskad X-Forwarded-For (socket.io)", accepted=len(answered),
           once=once, refused=refused, note="ny socket och ny falsk adress varje gång")
    assert once == len(answered)
