"""The production layout on this machine (scripts/cluster.sh), started for a test session.

Two Rasa servers, two action servers, the web server and HAProxy against this machine's
PostgreSQL (a fresh database pair, dropped afterwards) and Redis. A missing HAProxy,
PostgreSQL or Redis FAILS the test with the name of what is missing; it never skips.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.future import create_engine

from tests.e2e.stack import MODEL, OPEN_THURSDAY, ROOT, free_port

BASE_URL = os.environ.get("KC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("KC_TEST_REDIS", "127.0.0.1:6379")
REDIS_DB = 13  # a database number of its own (locks); socket.io gets its own channel
START_SECONDS = 300


def missing_services() -> list[str]:
    """What the cluster needs and this machine lacks, each named (Swedish and English)."""
    missing = []
    if shutil.which("haproxy") is None:
        missing.append("HAProxy saknas / is missing (apt-get install haproxy; "
                       "make test-cluster installs it as root)")
    host, port = REDIS.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as exc:
        missing.append(f"Redis på/at {REDIS} går inte att nå / is unreachable: {exc}")
    engine = create_engine(BASE_URL, future=True, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        missing.append(f"PostgreSQL på/at {BASE_URL} går inte att nå / is unreachable "
                       f"(KC_TEST_POSTGRES_URL): {type(exc).__name__}")
    finally:
        engine.dispose()
    if not MODEL.exists():
        missing.append(f"Ingen tränad modell / no trained model: {MODEL}")
    return missing


@dataclass
class Cluster:
    workdir: Path
    database: str = field(default_factory=lambda: f"kc_cluster_{uuid.uuid4().hex[:8]}")
    token: str = field(default_factory=lambda: "cluster-" + os.urandom(16).hex())
    public_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    actions_lb_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    rasa_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    actions_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    # Every process of the cluster, and the test process (use_clock), on one clock: an
    # open Thursday from the moment the cluster was made (tests/e2e/stack.py does the same).
    anchor: float = field(default_factory=time.time)

    @property
    def clock_env(self) -> dict[str, str]:
        return {"KC_NOW": OPEN_THURSDAY, "KC_NOW_ANCHOR": repr(self.anchor)}

    def use_clock(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        """Put this process (presence, register checks) on the cluster's clock."""
        from kontaktcenter import clock

        for name, value in self.clock_env.items():
            monkeypatch.setenv(name, value)
        clock.reset()

    @property
    def url(self) -> str:
        """The one address residents and staff use (HAProxy)."""
        return f"http://localhost:{self.public_port}"

    @property
    def api_url(self) -> str:
        """The console's way to Rasa's HTTP API (HAProxy, loopback, any server)."""
        return f"http://127.0.0.1:{self.api_port}"

    def rasa_url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[number - 1]}"

    @property
    def server_url(self) -> str:
        return str(make_url(BASE_URL).set(database=None))

    @property
    def database_url(self) -> str:
        return str(make_url(BASE_URL).set(database=self.database))

    @property
    def var(self) -> Path:
        return self.workdir / "var"

    @property
    def output(self) -> Path:
        return self.workdir / "cluster.out"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KC_")}
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            KC_VAR_DIR=str(self.var),
            KC_MODEL=str(MODEL),
            **self.clock_env,
            KC_RASA_TOKEN=self.token,
            KC_ACTION_TOKEN=os.urandom(16).hex(),
            KC_CONVERSATION_SECRET=os.urandom(16).hex(),
            KC_CONSOLE_SECRET=os.urandom(16).hex(),
            KC_CLUSTER_PORT=str(self.public_port),
            KC_CLUSTER_RASA_PORTS=" ".join(map(str, self.rasa_ports)),
            KC_CLUSTER_ACTIONS_PORTS=" ".join(map(str, self.actions_ports)),
            KC_CLUSTER_API_PORT=str(self.api_port),
            KC_CLUSTER_ACTIONS_LB_PORT=str(self.actions_lb_port),
            KC_WEB_PORT=str(self.web_port),
            KC_CLUSTER_POSTGRES_URL=self.server_url,
            KC_CLUSTER_DATABASE=self.database,
            KC_REDIS_HOST=REDIS.rsplit(":", 1)[0],
            KC_REDIS_PORT=REDIS.rsplit(":", 1)[1],
            KC_REDIS_DB=str(REDIS_DB),
            KC_SOCKETIO_CHANNEL=f"kc-test-{self.database}",
            HOME=os.environ.get("HOME", str(self.workdir)),
        )
        env.update(self.extra_env)
        return env

    def start(self) -> Cluster:
        self.var.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["bash", "scripts/cluster.sh"], cwd=ROOT, env=self.env(),
            stdout=self.output.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            said = self.output.read_text(errors="replace")
            if "körs som kluster" in said:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"scripts/cluster.sh avslutades ({self.proc.returncode}):\n"
                                   f"{said[-3000:]}")
            time.sleep(0.5)
        raise RuntimeError(f"Klustret startade inte inom {START_SECONDS} s:\n"
                           f"{self.output.read_text(errors='replace')[-3000:]}")

    def pid(self, component: str) -> int:
        return int((self.var / "run" / "cluster" / f"{component}.pid").read_text())

    def kill(self, component: str) -> int:
        """kill -9 one component (its supervisor restarts it later)."""
        pid = self.pid(component)
        os.kill(pid, signal.SIGKILL)
        return pid

    def log(self, name: str) -> str:
        path = self.var / "log" / "cluster" / name
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # Ctrl-C's path: everything stops
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=60)
        if self.proc is not None:
            # Anything left of the session (nothing, when the script did its job).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        admin = create_engine(BASE_URL, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in (self.database, f"{self.database}_trackers"):
                if re.fullmatch(r"kc_cluster_[0-9a-f]{8}(_trackers)?", name):
                    connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
