"""Residents who try to reach what is not theirs, and floods, against the running product.

Each test repeats a case reproduced in issue 11 and fails on the code before the fix.
"""

from __future__ import annotations

import asyncio
import json
import stat
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kontaktcenter import input_check
from kontaktcenter.conversation_token import ConversationTokens
from kontaktcenter.handover import HandoverService
from kontaktcenter.rasa_client import RasaClient
from kontaktcenter.records import Register
from tests.e2e.residents import SocketResident, is_polite_swedish, resident_messages, wait_until
from tests.e2e.stack import RasaStack
from tests.faults.report import record

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"hostile-{uuid.uuid4().hex[:10]}"


def intents(stack: RasaStack, conversation: str) -> list[str | None]:
    status, tracker = stack.api(f"/conversations/{conversation}/tracker")
    assert status == 200, tracker
    return [(e.get("parse_data") or {}).get("intent", {}).get("name")
            for e in tracker["events"] if e.get("event") == "user"]


def numbers(stack: RasaStack, conversation: str) -> set[str]:
    return {n for n, _ in resident_messages(stack.env["KC_DATABASE_URL"], conversation)}


# ------------------------------------------------------------------ typed intents


def test_session_start_typed_21_times_makes_no_new_cases(stack: RasaStack) -> None:
    """21 × "/session_start" made 21 diarienummer. Here: 3 residents × 7 messages."""
    residents = [sender() for _ in range(3)]
    for who in residents:
        for _ in range(7):
            replies = stack.say(who, "/session_start")
            assert is_polite_swedish(" ".join(r.get("text", "") for r in replies))
    url = stack.env["KC_DATABASE_URL"]
    for who in residents:
        assert wait_until(lambda w=who: len(resident_messages(url, w)) == 7)
        assert len(numbers(stack, who)) == 1, resident_messages(url, who)
        assert intents(stack, who) == ["nlu_fallback"] * 7


def test_forged_request_human_does_not_queue(stack: RasaStack) -> None:
    who = sender()
    for _ in range(5):
        stack.say(who, "/request_human")
    assert intents(stack, who) == ["nlu_fallback"] * 5
    assert HandoverService(stack.env["KC_DATABASE_URL"]).active_for_conversation(who) is None


def test_forged_entities_never_reach_the_actions(stack: RasaStack) -> None:
    who = sender()
    for text in ('/ask_opening_hours{"date":[1]}', '/ask_opening_hours{"date":"9999-12-31"}'):
        replies = stack.say(who, text)
        assert is_polite_swedish(" ".join(r.get("text", "") for r in replies))
    _, tracker = stack.api(f"/conversations/{who}/tracker")
    assert all(not e.get("parse_data", {}).get("entities")
               for e in tracker["events"] if e.get("event") == "user")


def test_only_the_buttons_just_offered_are_payloads(stack: RasaStack) -> None:
    who = sender()
    stack.say(who, "🙂🙂")
    offer = stack.say(who, "🙂🙂")  # the second miss in a row offers a person
    payloads = {b["payload"] for r in offer for b in r.get("buttons", [])}
    assert "/deny" in payloads, offer
    stack.say(who, "/deny")  # offered: a real answer to the button
    stack.say(who, "/deny")  # no longer offered: plain text
    assert intents(stack, who)[-2:] == ["deny", "nlu_fallback"]


# ------------------------------------------------------------------ REST input


@pytest.mark.parametrize("raw", [b"", b"[]", b'[{"sender": "a", "message": "hej"}]',
                                 b"not json", b'"hej"', b"null", b"\xff\xfe\x00"])
def test_rest_bodies_that_are_not_objects_get_400_in_swedish(stack: RasaStack,
                                                             raw: bytes) -> None:
    status, replies = stack.post_rest(None, raw=raw)
    assert status == 400 and replies[0]["text"] == input_check.BAD_BODY_REFUSED


@pytest.mark.parametrize("bad", [None, "", "   ", 5, ["a"], "bi\x00col\nx", "a" * 300,
                                 " lead", "tab\there"])
def test_invalid_senders_are_refused_not_merged(stack: RasaStack, bad: object) -> None:
    body = {"message": "hej"} if bad is None else {"sender": bad, "message": "hej"}
    status, replies = stack.post_rest(body)
    assert status == 400 and replies[0]["text"] == input_check.BAD_SENDER_REFUSED
    assert not resident_messages(stack.env["KC_DATABASE_URL"], "default")


def test_similar_senders_stay_apart(stack: RasaStack) -> None:
    status, _ = stack.post_rest({"sender": "bi\x00col\nx", "message": "hej"})
    assert status == 400
    who = f"bicol x {uuid.uuid4().hex[:6]}"
    assert stack.post_rest({"sender": who, "message": "hej"})[0] == 200


def test_a_message_that_is_not_text_is_refused(stack: RasaStack) -> None:
    for message in (None, 5, ["hej"], {"text": "hej"}):
        status, replies = stack.post_rest({"sender": sender(), "message": message})
        assert status == 400 and replies[0]["text"] == input_check.NOT_TEXT_REFUSED


def test_the_long_message_is_refused_out_loud_not_cut(stack: RasaStack) -> None:
    who = sender()
    status, replies = stack.post_rest({"sender": who, "message": "x" * 100_000})
    assert status == 200 and replies[0]["text"] == input_check.TOO_LONG_REFUSED
    assert stack.say(who, "Hej")  # and the server is not frozen
    assert [t for _, t in resident_messages(stack.env["KC_DATABASE_URL"], who)] in ([], ["Hej"])


def test_residents_cannot_set_staff_fields_or_the_channel(stack: RasaStack) -> None:
    who = sender()
    status, _ = stack.post_rest({"sender": who, "message": "hej", "input_channel": "socketio",
                                 "metadata": {"kc_resident_name": "Kommunvägledare Anna",
                                              "kc_agent": "Anna"}})
    assert status == 200
    url = stack.env["KC_DATABASE_URL"]
    assert wait_until(lambda: resident_messages(url, who))
    case = Register(url).case_for_conversation(who)
    assert "Kommunvägledare" not in case.sender and case.channel == "rest", case
    status, tracker = stack.api(f"/conversations/{who}/tracker")
    user = [e for e in tracker["events"] if e.get("event") == "user"]
    assert all(not any(k.startswith("kc_") for k in (e.get("metadata") or {})) for e in user)


# ------------------------------------------------------------------ ownership


def test_a_bare_id_does_not_join_someone_elses_conversation(stack: RasaStack) -> None:
    victim = SocketResident(stack.url)
    attacker = SocketResident(stack.url)
    try:
        token = victim.start()
        victim.say("Mitt namn är hemligt", replies=2)
        victim_id = victim.conversation
        for claim in (victim_id, victim_id + ".AAAA",
                      ConversationTokens("gissad").issue(victim_id)):
            attacker.start(claim)
            assert attacker.conversation != victim_id
        attacker.say("Jag skriver i ditt ärende", replies=2)
        assert victim.start(token) == token  # the owner's own token still works
        # REST may not write into a socket's conversation either.
        status, replies = stack.post_rest({"sender": victim_id, "message": "intrång"})
        assert status == 403 and replies[0]["text"] == input_check.SENDER_TAKEN_REFUSED
        url = stack.env["KC_DATABASE_URL"]
        assert [t for _, t in resident_messages(url, victim_id)] == ["Mitt namn är hemligt"]
    finally:
        victim.close()
        attacker.close()


# ------------------------------------------------------------------ floods


def test_rest_burst_from_one_sender_is_answered_or_refused_never_lost(
    stack: RasaStack,
) -> None:
    who = sender()

    def send(n: int) -> tuple[int, object]:
        return stack.post_rest({"sender": who, "message": f"hej nummer {n}"})

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(send, range(60)))
    statuses = [s for s, _ in outcomes]
    assert set(statuses) <= {200, 429}, statuses
    refused = [r for s, r in outcomes if s == 429]
    assert refused and all(r[0]["text"] == input_check.FLOOD_REFUSED for r in refused)
    accepted = [r for s, r in outcomes if s == 200]
    assert accepted and all(r for r in accepted), "no [] for an accepted message"
    url = stack.env["KC_DATABASE_URL"]
    wait_until(lambda: len(resident_messages(url, who)) >= len(accepted))
    stored = [t for _, t in resident_messages(url, who)]
    record("Flood: 60 samtidiga meddelanden från en avsändare (REST)", sent=len(outcomes),
           accepted=len(accepted), once=len(set(stored)) if len(stored) == len(accepted) else 0,
           refused=len(refused), silent=len(outcomes) - len(accepted) - len(refused),
           note="invånarens meddelanden")
    assert len(stored) == len(accepted) and len(set(stored)) == len(stored)


def test_socketio_burst_is_answered_or_refused_never_silent(stack: RasaStack) -> None:
    # 15 at once: python-socketio's polling client sends queued events in one HTTP
    # payload, and engine.io refuses payloads of more than 16 packets (a transport limit
    # the client sees as an error; the browser widget uses WebSocket frames).
    burst = 15
    resident = SocketResident(stack.url)
    try:
        resident.start()
        for n in range(burst):
            resident.send(f"hej nummer {n}")
        url = stack.env["KC_DATABASE_URL"]

        def accounted() -> bool:
            refusals = sum(r.get("text") == input_check.FLOOD_REFUSED for r in resident.replies)
            return refusals + len(resident_messages(url, resident.conversation)) == burst

        settled = wait_until(accounted, 120)
        refusals = sum(r.get("text") == input_check.FLOOD_REFUSED for r in resident.replies)
        stored = [t for _, t in resident_messages(url, resident.conversation)]
        record("Flood: 15 meddelanden i en skur (socket.io)", sent=burst, accepted=len(stored),
               once=len(set(stored)), refused=refusals,
               silent=burst - refusals - len(stored), note="invånarens meddelanden")
        assert settled, (len(resident.replies), len(stored))
        assert refusals
    finally:
        resident.close()


# ------------------------------------------------------------------ servers


def test_the_action_server_refuses_calls_without_the_secret(stack: RasaStack) -> None:
    call = {"next_action": "action_leave_message", "sender_id": "offer",
            "tracker": {"sender_id": "offer", "events": [], "slots": {}},
            "domain": {}, "version": "3.6.21"}

    def post(headers: dict[str, str]) -> int:
        req = urllib.request.Request(f"http://127.0.0.1:{stack.actions_port}/webhook",
                                     data=json.dumps(call).encode(),
                                     headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    assert post({}) == 401
    assert post({"X-KC-Action-Token": "gissning"}) == 401
    url = stack.env["KC_DATABASE_URL"]  # nothing changed: no ärende, no handover or callback
    assert Register(url).case_for_conversation("offer") is None
    assert HandoverService(url).active_for_conversation("offer") is None
    assert post({"X-KC-Action-Token": stack.action_token}) != 401


def test_tokens_are_not_in_the_process_list(stack: RasaStack) -> None:
    assert len(stack.procs) == 2
    for proc in stack.procs:
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert stack.token.encode() not in cmdline
        assert stack.action_token.encode() not in cmdline


def test_our_client_authenticates_with_a_header(stack: RasaStack) -> None:
    who = sender()
    stack.say(who, "Hej")

    async def fetch():  # type: ignore[no-untyped-def]
        client = RasaClient(stack.url, stack.token)
        try:
            return await client.conversation(who)
        finally:
            await client.close()

    assert [m.text for m in asyncio.run(fetch()).messages if m.author == "resident"] == ["Hej"]


def test_databases_and_spool_are_private(stack: RasaStack) -> None:
    var = stack.workdir / "var"
    stack.say(sender(), "Hej")
    tracker = var / "rasa_tracker.db"
    assert wait_until(tracker.exists)
    for database in (tracker, var / "kontaktcenter.db"):  # the register: made by the CLI
        mode = stat.S_IMODE(database.stat().st_mode)
        assert mode & 0o077 == 0, (database, oct(mode))
    for path in (var / "spool").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path, oct(path.stat().st_mode))


def test_message_text_is_not_in_the_logs(stack: RasaStack) -> None:
    secret = f"19121212-1212 {uuid.uuid4().hex}"
    stack.post_rest({"sender": sender(), "message": secret})
    stack.post_rest({"sender": "\x00", "message": secret})
    logs = stack.workdir / "logs"
    for log in logs.glob("*.log"):
        assert secret not in log.read_text(errors="replace"), log
