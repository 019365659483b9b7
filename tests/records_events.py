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
