"""A stock ``rasa init`` bot on the project's venv: the yardstick for our own overhead.

``start_stock_bot()`` builds the stock project in a temporary folder, trains it once
(the trained project is cached under ``var/bench/stock``, keyed by the Rasa version, so
later runs only copy it), starts ``rasa run --enable-api --auth-token <random>`` on a
free loopback port and returns a handle once the bot answers a REST message.

Usage from a bench script::

    with start_stock_bot() as bot:
        measure(bot.url, ...)          # REST webhook under bot.url
        print(bot.rss_mb())

``.venv/bin/python bench/stock_bot.py`` builds (or reuses) the cache and says one hello.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
CACHE = ROOT / "var" / "bench" / "stock"
START_TIMEOUT_S = 300.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (Linux /proc); NaN once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far, in seconds (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stock_env(home: Path | None = None) -> dict[str, str]:
    """The environment for the stock bot: no telemetry, and none of the product's KC_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KC_")}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONWARNINGS="ignore")
    if home is not None:
        env["HOME"] = str(home)
    return env


def _rasa_version() -> str:
    out = subprocess.run([str(BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def ensure_stock_project(cache: Path = CACHE) -> Path:
    """The cached, trained stock project; built with ``rasa init --no-prompt`` if missing.

    The cache is only valid for the Rasa version that trained it, so the version is
    stored beside it and a mismatch rebuilds it."""
    version = _rasa_version()
    marker = cache / "rasa-version.txt"
    if marker.exists() and marker.read_text().strip() == version and any(
            (cache / "project" / "models").glob("*.tar.gz")):
        return cache / "project"
    cache.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="stock-build-", dir=cache.parent))
    try:
        project = build / "project"
        project.mkdir()  # rasa init --no-prompt wants the folder to exist
        print(f"Bygger och tränar en stock-bot (rasa init) i {project} …", flush=True)
        # rasa init --no-prompt scaffolds the project and trains it (about 70 s on 2 cores).
        result = subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
            cwd=build, env=stock_env(), capture_output=True, text=True)
        if result.returncode != 0 or not any((project / "models").glob("*.tar.gz")):
            raise RuntimeError(f"rasa init misslyckades ({result.returncode}):\n"
                               f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        (build / "rasa-version.txt").write_text(version + "\n")
        if cache.exists():
            shutil.rmtree(cache)
        build.rename(cache)  # atomic on one file system: a half-built cache is never seen
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return cache / "project"


def post_rest(url: str, sender: str, text: str, timeout: float = 60) -> list[dict]:
    """One message over Rasa's REST webhook; the bot's replies."""
    req = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        replies = json.loads(resp.read() or b"null")
    return replies if isinstance(replies, list) else []


def wait_until_answers(url: str, proc: subprocess.Popen, log: Path,
                       seconds: float = START_TIMEOUT_S) -> None:
    """Wait until the bot answers a REST message (the model is loaded, not just the port)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"rasa run avslutades ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if post_rest(url, "stock-warmup", "hello", timeout=10):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} svarade inte inom {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@dataclass
class StockBot:
    """A running stock bot: its URL, API token, process and temporary folder."""

    url: str
    token: str
    process: subprocess.Popen
    workdir: Path
    log: Path
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the Rasa process now, in MB."""
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and remove the temporary folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> StockBot:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_stock_bot(cache: Path = CACHE) -> StockBot:
    """Copy the cached stock project to a temporary folder, run it, wait until it answers."""
    cached = ensure_stock_project(cache)
    tmp = tempfile.TemporaryDirectory(prefix="stock-bot-")
    workdir = Path(tmp.name) / "project"
    shutil.copytree(cached, workdir)
    model = sorted((workdir / "models").glob("*.tar.gz"))[-1]
    port = free_port()
    token = secrets.token_hex(16)
    log = Path(tmp.name) / "rasa.log"
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", token,
         "--model", str(model), "--interface", "127.0.0.1", "--port", str(port)],
        cwd=workdir, env=stock_env(), stdout=log.open("w"), stderr=subprocess.STDOUT)
    bot = StockBot(url=f"http://127.0.0.1:{port}", token=token, process=proc,
                   workdir=workdir, log=log, _tmp=tmp)
    try:
        wait_until_answers(bot.url, proc, log)
    except BaseException:
        bot.stop()
        raise
    return bot


def main() -> int:
    with start_stock_bot() as bot:
        print(f"Stock-bot på {bot.url}: {post_rest(bot.url, 'demo', 'hello')} "
              f"({bot.rss_mb():.0f} MB RSS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
