"""A product instance of its own for fault tests: processes that can be killed and restarted.

Loopback only, free ports, its own var/ directory. Every wait is bounded in count and
time and polls for a condition; nothing sleeps to synchronise.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.e2e.stack import BIN, MODEL, ROOT, RasaStack, wait_http

PHONE_QUESTION = "Vad har ni för telefonnummer?"
PHONE = "042-10 50 00"
NOT_DURABLE = "kan tyvärr inte ta emot meddelanden just nu"
ACTIONS_DOWN = "tekniskt fel"


def poll(condition: Callable[[], object], seconds: float, what: str, every: float = 0.25) -> object:
    """The first truthy value of ``condition`` within ``seconds``; fails naming ``what``."""
    deadline = time.monotonic() + seconds
    last: object = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: inte uppfyllt inom {seconds} s (senast: {last!r})")


class FaultStack(RasaStack):
    """RasaStack whose action server and Rasa server are started and killed separately."""

    actions: subprocess.Popen | None = None
    rasa: subprocess.Popen | None = None

    @property
    def var(self) -> Path:
        return self.workdir / "var"

    @property
    def logs(self) -> Path:
        path = self.workdir / "logs"
        path.mkdir(exist_ok=True)
        return path

    def prepare(self) -> FaultStack:
        if not MODEL.exists():
            raise RuntimeError(f"Ingen tränad modell i {MODEL}: kör 'make test' (den tränar först).")
        self.var.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([str(BIN / "kontaktcenter"), "db", "upgrade"], env=self.env,
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"kontaktcenter db upgrade misslyckades:\n{done.stderr[-3000:]}")
        self.write_endpoints()
        return self

    def start(self) -> FaultStack:
        self.prepare()
        self.start_actions()
        self.start_rasa()
        return self

    def start_actions(self) -> None:
        log = self.logs / "actions.log"
        self.actions = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--port", str(self.actions_port),
             "--actions", "actions"],
            cwd=ROOT, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        self.procs.append(self.actions)
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 120, self.actions, log)

    def start_rasa(self) -> None:
        log = self.rasa_log
        self.rasa = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints",
             str(self.workdir / "endpoints.yml"), "--credentials", str(ROOT / "credentials.yml"),
             "--port", str(self.rasa_port), "--enable-api", "--auth-token", self.token],
            cwd=ROOT, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        self.procs.append(self.rasa)
        wait_http(f"{self.url}/", 300, self.rasa, log)

    @property
    def rasa_log(self) -> Path:
        return self.logs / "rasa.log"

    @staticmethod
    def kill9(proc: subprocess.Popen | None) -> None:
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{self.url}/webhooks/health/", timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.url}/webhooks/health/metrics", timeout=10) as resp:
            return resp.read().decode()

    # -- what the register and the tracker store hold --------------------------------

    @property
    def register_db(self) -> Path:
        return self.var / "kontaktcenter.db"

    def register_messages(self, sender: str) -> list[tuple[str, str]]:
        """(role, text) of the conversation's messages in the register, in order."""
        return register_messages_in(self.register_db, sender)

    def register_cases(self, sender: str) -> list[tuple[str, str]]:
        """(diarienummer, session key) of the conversation's ärenden, oldest first."""
        with contextlib.closing(sqlite3.connect(self.register_db, timeout=30)) as db:
            rows = db.execute(
                "SELECT diarienummer, session_key FROM cases WHERE conversation_id = ? "
                "ORDER BY registered_at, id",
                (sender,),
            ).fetchall()
        return [(number, key) for number, key in rows]

    def tracker_messages(self, sender: str) -> list[tuple[str, str]]:
        """(user|bot, text) of the conversation in Rasa's tracker store, in order."""
        return tracker_messages_in(self.var / "rasa_tracker.db", sender)


def register_messages_in(register_db: Path, sender: str) -> list[tuple[str, str]]:
    """(role, text) of a conversation's messages in a SQLite register, in order."""
    with contextlib.closing(sqlite3.connect(register_db, timeout=30)) as db:
        rows = db.execute(
            "SELECT m.sender_role, m.text FROM case_messages m JOIN cases c ON c.id = m.case_id "
            "WHERE c.conversation_id = ? ORDER BY m.sent_at, m.seq",
            (sender,),
        ).fetchall()
    return [(role, text) for role, text in rows]


def tracker_messages_in(tracker_db: Path, sender: str) -> list[tuple[str, str]]:
    """(user|bot, text) of a conversation in a SQLite tracker store, in order."""
    with contextlib.closing(sqlite3.connect(tracker_db, timeout=30)) as db:
        rows = db.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? "
            "AND type_name IN ('user', 'bot') ORDER BY id",
            (sender,),
        ).fetchall()
    return [(kind, json.loads(data).get("text") or "") for kind, data in rows]


def registered_once(tracked: list[tuple[str, str]], registered: list[tuple[str, str]]) -> int:
    """How many tracked messages the register holds exactly once, in order: all when the
    two agree, else the common prefix (never all: a duplicate or a gap costs one)."""
    expected = as_register(tracked)
    if registered == expected:
        return len(expected)
    prefix = next((n for n, (a, b) in enumerate(zip(expected, registered)) if a != b),
                  min(len(expected), len(registered)))
    return min(prefix, max(len(expected) - 1, 0))


@contextlib.contextmanager
def register_locked(path: Path) -> Iterator[None]:
    """Hold the register's write lock (as a long transaction elsewhere would)."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        db.close()


ROLE_OF = {"user": "invånare", "bot": "chattbot"}


def as_register(tracker: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(ROLE_OF[kind], text) for kind, text in tracker]
