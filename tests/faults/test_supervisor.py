"""Issue 11 and 15: scripts/run.sh checks the environment, notices at once when a process
dies (showing why) and restarts a component that dies later (kill -9 of each, Rasa
included), and nothing Rasa accepted is missing from the register afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import BIN, MODEL, ROOT, free_port
from tests.faults.instance import (
    PHONE,
    PHONE_QUESTION,
    as_register,
    poll,
    register_messages_in,
    registered_once,
    tracker_messages_in,
)
from tests.faults.report import record

SENDER = "supervisor-test"
LINKED = ("actions", "rasa_addons", "kontaktcenter", "config", "models", "scripts", "deploy")


class Product:
    """A copy of the project (links and its own var/) run by scripts/run.sh."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ports = {"KC_RASA_PORT": free_port(), "KC_ACTIONS_PORT": free_port(),
                      "KC_WEB_PORT": free_port()}
        self.proc: subprocess.Popen | None = None
        self.output = root / "run.out"
        root.mkdir()
        for name in LINKED:
            (root / name).symlink_to(ROOT / name)
        (root / ".venv").symlink_to(BIN.parent)
        for name in ("credentials.yml", "endpoints.production.yml"):
            shutil.copy(ROOT / name, root / name)
        var = root / "var"
        var.mkdir()
        endpoints = {
            "action_endpoint": {"url": f"http://127.0.0.1:{self.port('ACTIONS')}/webhook"},
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "var/rasa_tracker.db"},
            "event_broker": {"type": "rasa_addons.event_broker.RecordsEventBroker",
                             "spool_dir": "var/spool"},
        }
        (root / "endpoints.yml").write_text(json.dumps(endpoints))
        (var / "secrets.env").write_text(
            f"KC_RASA_TOKEN={os.urandom(16).hex()}\nKC_CONSOLE_SECRET={os.urandom(16).hex()}\n"
            f"KC_CONVERSATION_SECRET={os.urandom(16).hex()}\nKC_ACTION_TOKEN={os.urandom(16).hex()}\n")

    def port(self, name: str) -> int:
        return self.ports[f"KC_{name}_PORT"]

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KC_")}
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update(
            PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
            KC_RASA_URL=f"http://127.0.0.1:{self.port('RASA')}",
            KC_RASA_PUBLIC_URL=f"http://127.0.0.1:{self.port('RASA')}",
            KC_WEB_URL=f"http://127.0.0.1:{self.port('WEB')}",
        )
        return env

    def migrate(self) -> None:
        done = subprocess.run([str(BIN / "kontaktcenter"), "db", "upgrade"], cwd=self.root,
                              env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]

    def run(self, **extra: str) -> subprocess.Popen:
        self.proc = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=self.root, env={**self.env, **extra},
            stdout=self.output.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        return self.proc

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def pid(self, component: str) -> int | None:
        try:
            return int((self.root / "var" / "run" / f"{component}.pid").read_text())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture()
def product(tmp_path: Path) -> Iterator[Product]:
    if not MODEL.exists():
        pytest.fail(f"Ingen tränad modell i {MODEL}: kör 'make test' (den tränar först).")
    made = Product(tmp_path / "kc")
    try:
        yield made
    finally:
        made.stop()


def test_missing_production_variables_are_named_before_anything_starts(product: Product) -> None:
    proc = product.run(KC_ENDPOINTS="endpoints.production.yml")
    assert proc.wait(timeout=120) == 2
    out = product.text()
    for name in ("KC_ACTION_ENDPOINT_URL", "KC_TRACKER_DB_HOST", "KC_TRACKER_DB_PASSWORD",
                 "KC_REDIS_HOST", "KC_SPOOL_DIR", "KC_DATABASE_URL"):
        assert f"{name} saknas" in out, out
    assert not (product.root / "var" / "run" / "actions.pid").exists()


def test_a_process_that_dies_at_start_stops_everything_with_its_reason(product: Product) -> None:
    with socket.socket() as taken:  # the action server's port is already in use
        taken.bind(("127.0.0.1", product.port("ACTIONS")))
        taken.listen()
        proc = product.run()
        code = proc.wait(timeout=180)
    out = product.text()
    assert code != 0
    assert "Action-servern (pid" in out and "avslutades (kod" in out, out
    assert "Action-servern kunde inte starta" in out
    assert "    | " in out  # the tail of its log is shown
    assert "Allt som startades är stoppat." in out


def rest_phone(product: Product) -> bool:
    body = json.dumps({"sender": SENDER, "message": PHONE_QUESTION}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{product.port('RASA')}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return PHONE in " ".join(r.get("text", "") for r in json.loads(resp.read()))
    except OSError:
        return False


def test_kill_9_of_the_web_and_action_servers_restarts_them(product: Product) -> None:
    product.migrate()
    proc = product.run()
    web = f"http://127.0.0.1:{product.port('WEB')}/"
    poll(lambda: "körs." in product.text() or proc.poll() is not None, 420, "run.sh startar")
    assert proc.poll() is None, product.text()
    assert answers(web) and rest_phone(product)

    for component, name, ready, seconds in (
        ("web", "Webbservern", lambda: answers(web), 120),
        ("actions", "Action-servern", lambda: rest_phone(product), 120),
        ("rasa", "Rasa-servern", lambda: rest_phone(product), 300),  # loads its model
    ):
        old = product.pid(component)
        assert old and alive(old)
        os.kill(old, signal.SIGKILL)
        poll(lambda: product.pid(component) not in (None, old), 60, f"{name} startas om")
        poll(ready, seconds, f"{name} svarar igen")
        assert f"{name} (pid {old}) avslutades (signal KILL)" in product.text()
        assert proc.poll() is None  # the rest kept running

    # Every message Rasa accepted, before, between and after the kills, is in the register
    # exactly once, in order.
    var = product.root / "var"
    tracked = tracker_messages_in(var / "rasa_tracker.db", SENDER)
    try:
        poll(lambda: register_messages_in(var / "kontaktcenter.db", SENDER)
             == as_register(tracked), 60, "registret har varje meddelande en gång")
    finally:
        record("kill -9 av webbservern, action-servern och Rasa under run.sh", accepted=len(tracked),
               once=registered_once(tracked, register_messages_in(var / "kontaktcenter.db", SENDER)),
               note="run.sh startar om varje process; meddelanden före, mellan och efter")

    # Logs and databases hold residents' messages: owner only (issue 11 found 0644).
    private = [*var.glob("*.db"), *(var / "log").glob("*.log")]
    assert len(private) >= 4, private
    shared = [(p.name, oct(p.stat().st_mode)) for p in private if p.stat().st_mode & 0o077]
    assert not shared, shared

    pids = [product.pid(c) for c in ("actions", "rasa", "web")]
    product.stop()
    assert proc.returncode is not None
    assert "Allt som startades är stoppat." in product.text()
    poll(lambda: not any(p and alive(p) for p in pids), 30, "alla processer stoppade")
    assert sys.executable  # the suite ran with the project's interpreter
