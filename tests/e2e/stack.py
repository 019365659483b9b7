"""Start the real product (action server + Rasa server) on free ports for a test session."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# KC_TEST_MODEL runs the suite against another trained model (e.g. a candidate).
MODEL = Path(os.environ.get("KC_TEST_MODEL") or ROOT / "models" / "kontaktcenter.tar.gz")


# Every stack runs on an explicit clock (KC_NOW), so a scenario gives the same result at
# 02:00, 10:00 and 23:59:30. A Thursday with regular hours 08.00–18.00: open for hours.
OPEN_THURSDAY = "2026-12-03T10:00"
SATURDAY = "2026-12-05T10:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: processen avslutades ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} svarade inte inom {seconds} s:\n{log.read_text()[-3000:]}")


@dataclass
class RasaStack:
    """A running action server and Rasa server with their own var/ directory."""

    workdir: Path
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Replaces sections of the embedded-default endpoints (e.g. PostgreSQL, Redis).
    endpoints_override: dict[str, object] = field(default_factory=dict)
    # A real endpoints file (e.g. endpoints.production.yml) used as it is; its ${VARS}
    # come from extra_env. When set, endpoints_override is not used.
    endpoints_file: Path | None = None
    token: str = field(default_factory=lambda: "test-token-" + os.urandom(16).hex())
    action_token: str = field(default_factory=lambda: os.urandom(16).hex())
    conversation_secret: str = field(default_factory=lambda: os.urandom(16).hex())
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen] = field(default_factory=list)
    # How python starts each server (bench/profile_message.py puts a profiler in front).
    actions_launcher: list[str] = field(default_factory=lambda: ["-m", "rasa_addons.action_server"])
    rasa_launcher: list[str] = field(default_factory=lambda: ["-m", "rasa_addons.rasa_server"])
    # KC_NOW of every process of this stack; the anchor (the real clock when the stack was
    # made) makes them, and the test process (use_clock), agree to the second.
    now: str = OPEN_THURSDAY
    anchor: float = field(default_factory=time.time)

    @property
    def clock_env(self) -> dict[str, str]:
        return {"KC_NOW": self.now, "KC_NOW_ANCHOR": repr(self.anchor)}

    def use_clock(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        """Put this process (console, register checks) on the stack's clock for one test."""
        from kontaktcenter import clock

        for name, value in self.clock_env.items():
            monkeypatch.setenv(name, value)
        clock.reset()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def env(self) -> dict[str, str]:
        var = self.workdir / "var"
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            KC_HOME=str(ROOT),
            KC_VAR_DIR=str(var),
            KC_DATABASE_URL=self.database_url or f"sqlite:///{var / 'kontaktcenter.db'}",
            KC_RASA_TOKEN=self.token,
            KC_ACTION_TOKEN=self.action_token,
            KC_CONVERSATION_SECRET=self.conversation_secret,
            HOME=env.get("HOME", str(self.workdir)),
        )
        env.update(self.clock_env)
        env.update(self.extra_env)
        return env

    def write_endpoints(self) -> Path:
        var = self.workdir / "var"
        var.mkdir(parents=True, exist_ok=True)
        if self.endpoints_file is not None:
            return self.endpoints_file
        path = self.workdir / "endpoints.yml"
        endpoints: dict[str, object] = {
            "action_endpoint": {"url": f"http://127.0.0.1:{self.actions_port}/webhook",
                                "headers": {"X-KC-Action-Token": self.action_token}},
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(var / "rasa_tracker.db")},
            "event_broker": {
                "type": "rasa_addons.event_broker.RecordsEventBroker",
                "spool_dir": str(var / "spool"),
            },
        }
        endpoints.update(self.endpoints_override)
        path.write_text(json.dumps(endpoints))
        return path

    def start(self) -> RasaStack:
        if not MODEL.exists():
            raise RuntimeError(f"Ingen tränad modell i {MODEL}: kör 'make test' (den tränar först).")
        env = self.env
        (self.workdir / "var").mkdir(parents=True, exist_ok=True)
        migrated = subprocess.run([str(BIN / "kontaktcenter"), "db", "upgrade"], env=env, cwd=ROOT,
                                  capture_output=True, text=True)
        if migrated.returncode != 0:
            raise RuntimeError(f"kontaktcenter db upgrade misslyckades:\n{migrated.stderr[-3000:]}")
        endpoints = self.write_endpoints()
        logs = self.workdir / "logs"
        logs.mkdir(exist_ok=True)
        alog = logs / "actions.log"
        # The product's own launchers (as scripts/run.sh): 127.0.0.1, secrets from env only.
        self.procs.append(subprocess.Popen(
            [str(BIN / "python"), *self.actions_launcher,
             "--port", str(self.actions_port), "--actions", "actions"],
            cwd=ROOT, env=env, stdout=alog.open("w"), stderr=subprocess.STDOUT))
        rlog = logs / "rasa.log"
        self.procs.append(subprocess.Popen(
            [str(BIN / "python"), *self.rasa_launcher, "run", "--model", str(MODEL),
             "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
             "--port", str(self.rasa_port), "--enable-api"],
            cwd=ROOT, env=env, stdout=rlog.open("w"), stderr=subprocess.STDOUT))
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 90, self.procs[0], alog)
        wait_http(f"{self.url}/", 240, self.procs[1], rlog)
        return self

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict]:
        """Send a resident message over the REST channel; the bot's replies.

        A refusal (HTTP 4xx: empty, too long, flood) comes back as a Swedish bot-style
        reply too; a server error (5xx) fails."""
        status, replies = self.post_rest({"sender": sender, "message": text}, timeout)
        assert status < 500, (status, replies)
        return replies if isinstance(replies, list) else []

    def post_rest(self, body: object, timeout: float = 60, raw: bytes | None = None,
                  ) -> tuple[int, object]:
        """POST to the REST webhook (``raw`` bytes as they are); status and JSON reply."""
        data = raw if raw is not None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            payload = err.read()
            try:
                return err.code, json.loads(payload or b"null")
            except ValueError:
                return err.code, payload.decode(errors="replace")

    def api(self, path: str, method: str = "GET", body: object | None = None,
            token: str | None = "default") -> tuple[int, object]:
        """Call the Rasa HTTP API (with the token unless told otherwise)."""
        tok = self.token if token == "default" else token
        url = f"{self.url}{path}" + (f"{'&' if '?' in path else '?'}token={tok}" if tok else "")
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")
