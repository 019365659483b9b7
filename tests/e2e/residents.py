"""Helpers for hostile-resident tests: a socket.io resident, the register's view, Swedish."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import socketio
from sqlalchemy import func, select

from kontaktcenter.db import get_database
from kontaktcenter.input_check import repair_text
from kontaktcenter.records.models import Case, Message, MessageOriginal
from kontaktcenter.records.text import clean

RESIDENT = "invånare"
SWEDISH_WORDS = ("jag", "du", "vi", "har", "det", "är", "och", "inte", "din", "ditt", "dina", "kan",
                 "på", "om", "eller", "att", "för", "oss", "här", "gärna", "tack", "hej")
NOT_FOR_RESIDENTS = ("Traceback", "Error", "Exception", "NoneType", "stack trace")


def is_polite_swedish(text: str) -> bool:
    words = f" {text.lower()} ".replace(".", " ").replace(",", " ").replace("?", " ")
    return any(f" {w} " in words for w in SWEDISH_WORDS) and not any(
        bad.lower() in text.lower() for bad in NOT_FOR_RESIDENTS
    )


def stored_text(sent: str) -> str:
    """What the register should keep of a sent text (Rasa strips; the register cleans)."""
    return clean(repair_text(sent).strip()).strip()


def resident_messages(database_url: str, conversation: str) -> list[tuple[str, str]]:
    """(diarienummer, original text) of every resident message of a conversation."""
    original = func.coalesce(MessageOriginal.text, Message.text)
    stmt = (
        select(Case.diarienummer, original)
        .join(Message, Message.case_id == Case.id)
        .outerjoin(MessageOriginal, MessageOriginal.message_id == Message.id)
        .where(Case.conversation_id == conversation, Message.sender_role == RESIDENT)
        .order_by(Case.id, Message.seq)
    )
    with get_database(database_url).session() as session:
        return [(number, text) for number, text in session.execute(stmt)]


def wait_until(condition: Callable[[], bool], seconds: float = 60, step: float = 0.2) -> bool:
    """Poll ``condition`` until it holds or the deadline passes (no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class SocketResident:
    """The widget's protocol with python-socketio's client (polling transport, NOTES.md)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None,
                 http_session: object = None) -> None:
        """``headers`` go with every request; ``http_session`` (requests) picks the route."""
        extra = {"http_session": http_session} if http_session is not None else {}
        self.client = socketio.Client(reconnection=False, **extra)
        self.tokens: list[str] = []
        self.replies: list[dict] = []
        self._lock = threading.Lock()
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", self._reply)
        self.client.connect(url, headers=headers or {}, transports=["polling"], wait_timeout=20)

    def _confirm(self, data: str) -> None:
        with self._lock:
            self.tokens.append(data)

    def _reply(self, data: dict) -> None:
        with self._lock:
            self.replies.append(data)

    def start(self, session_id: object = None) -> str:
        """Ask for a conversation (optionally presenting a token); the token confirmed."""
        count = len(self.tokens)
        self.client.emit("session_request", {"session_id": session_id})
        assert wait_until(lambda: len(self.tokens) > count, 20), "ingen session_confirm"
        return self.tokens[-1]

    @property
    def conversation(self) -> str:
        return self.tokens[-1].split(".")[0]

    def send(self, text: str, metadata: object = None) -> None:
        payload: dict = {"message": text}
        if metadata is not None:
            payload["metadata"] = metadata
        self.client.emit("user_uttered", payload)

    def say(self, text: str, replies: int = 1, seconds: float = 60) -> list[dict]:
        """Send and wait for at least ``replies`` new bot messages."""
        before = len(self.replies)
        self.send(text)
        assert wait_until(lambda: len(self.replies) >= before + replies, seconds), (
            f"inget svar på {text[:40]!r}")
        return self.replies[before:]

    def close(self) -> None:
        self.client.disconnect()
