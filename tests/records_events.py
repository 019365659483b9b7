"""Rasa event dicts and a register for the records tests (unit and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kontaktcenter.records.masking import Masker
from kontaktcenter.records.policy import load_policy
from kontaktcenter.records.register import Register
from kontaktcenter.records.topics import load_topics

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def make_register(url: str) -> Register:
    return Register(
        url,
        masker=Masker(allowed_phones=["042-10 50 00"]),
        policy=load_policy(CONFIG_DIR / "retention.yml"),
        topics=load_topics(CONFIG_DIR / "topics.yml"),
    )


def ev(kind: str, sender: str, at: datetime, text: str | None = None, **extra: object) -> dict:
    """A Rasa event dict shaped like ``{"sender_id": …} | Event.as_dict()``."""
    event: dict[str, object] = {"sender_id": sender, "event": kind, "timestamp": at.timestamp()}
    if kind in ("user", "bot"):
        event["text"] = text
    if kind == "user":
        intent = extra.pop("intent", None)
        event["parse_data"] = {
            "intent": {"name": intent, "confidence": 0.9} if intent else {},
            "entities": [],
            "text": text,
        }
        event["input_channel"] = extra.pop("input_channel", "rest")
        event["message_id"] = f"m-{at.timestamp()}"
    event.update(extra)
    return event


def conversation(sender: str, start: datetime, turns: int = 2) -> list[dict]:
    """session_started, then ``turns`` user/bot exchanges one second apart."""
    events = [ev("session_started", sender, start)]
    for i in range(turns):
        at = start + timedelta(seconds=2 * i + 1)
        events.append(
            ev("user", sender, at, f"fråga {i} från {sender}", intent="ask_opening_hours")
        )
        events.append(ev("bot", sender, at + timedelta(seconds=1), f"svar {i} till {sender}"))
    return events


def run_concurrently(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Start ``count`` threads at once (barrier) and collect their errors."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # collected and asserted by the caller
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def mixed_events() -> list[dict]:
    """A register's day in one stream: interleaved conversations, a second session, an
    agent's reply, a resident's name, a phone number to mask, a message without a session,
    and Rasa events the register does not keep."""
    a, b = "batch-a", "batch-b"
    later = T0 + timedelta(hours=2)
    events = conversation(a, T0, turns=2)
    events[2:2] = conversation(b, T0 + timedelta(seconds=1), turns=1)
    events += [
        ev("action", a, T0 + timedelta(seconds=9), name="action_listen"),
        ev("user", b, T0 + timedelta(seconds=20), "ring mig på 070-123 45 67",
           intent="request_human", metadata={"kc_resident_name": "Sara Svensson"}),
        ev("bot", b, T0 + timedelta(seconds=21), "Jag hämtar en kommunvägledare.",
           metadata={"kc_agent": "Anna Andersson"}),
        ev("slot", b, T0 + timedelta(seconds=22), name="handover", value=True),
        ev("user", "batch-c", T0 + timedelta(seconds=30), "hej, finns ni?"),
        *conversation(a, later, turns=1),
    ]
    return events


def register_dump(register: Register) -> dict[str, list[tuple]]:
    """Everything ingestion writes, in a comparable form (ids left out)."""
    from sqlalchemy import select

    from kontaktcenter.records.models import Case, Message, MessageOriginal

    with register.db.session() as session:
        cases = {c.id: c for c in session.execute(select(Case)).scalars()}
        messages = list(session.execute(select(Message).order_by(Message.id)).scalars())
        originals = {o.message_id: o.text for o in
                     session.execute(select(MessageOriginal)).scalars()}
        return {
            "cases": sorted(
                (c.diarienummer, c.conversation_id, c.session_key, c.registered_at, c.channel,
                 c.sender, c.subject, c.topics, c.status, c.closed_at, c.last_activity_at,
                 c.retention_category) for c in cases.values()),
            "messages": [
                (cases[m.case_id].diarienummer, m.seq, m.sender_role, m.sender_name, m.sent_at,
                 m.text, m.intent, m.event_key, originals.get(m.id)) for m in messages],
        }
