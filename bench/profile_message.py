"""Profile messages end to end in the running product: the Rasa server and the action server.

Starts the product (tests/e2e/stack.py: SQL tracker store, action server, the register's
event broker) with both servers under a sampling profiler (bench/profiled.py), warms up,
then profiles ``--messages`` messages of one conversation plus ``--new`` new
conversations (session start). Writes the profiles to ``var/bench/profile/`` (text and
HTML) and prints the top of the Rasa server's tree; docs/performance.md explains them.

Usage: .venv/bin/python bench/profile_message.py [--messages 40] [--new 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.stack import ROOT, RasaStack

PRODUCT_QUESTIONS = [
    "hej", "vad har ni för telefonnummer", "var ligger ni", "när har ni öppet",
    "har ni öppet på julafton", "vad är HiD", "är ni öppna nu", "tack",
]
NO_FLOOD_LIMITS = {"KC_FLOOD_SENDER_BURST": "1000000", "KC_FLOOD_SENDER_IN_FLIGHT": "1000",
                   "KC_FLOOD_ADDRESS_BURST": "1000000"}
OUT = ROOT / "var" / "bench" / "profile"


def _wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} skrevs inte inom {seconds:.0f} s")
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--new", type=int, default=5, help="new conversations (session start)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    profiled = str(Path(__file__).resolve().parent / "profiled.py")
    outs = {"rasa": OUT / "rasa", "actions": OUT / "actions"}
    for out in outs.values():
        out.with_suffix(".done").unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stack = RasaStack(
            Path(tmp), extra_env=NO_FLOOD_LIMITS,
            actions_launcher=[profiled, str(outs["actions"]), "rasa_addons.action_server"],
            rasa_launcher=[profiled, str(outs["rasa"]), "rasa_addons.rasa_server"],
        ).start()
        try:
            warm = f"warm-{uuid.uuid4().hex[:6]}"
            for q in PRODUCT_QUESTIONS:
                stack.say(warm, q)
            for proc in stack.procs:
                os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(0.5)  # signal delivery; the profilers start on their next bytecode
            start = time.perf_counter()
            sender = f"prof-{uuid.uuid4().hex[:6]}"
            for i in range(args.messages):
                stack.say(sender, PRODUCT_QUESTIONS[i % len(PRODUCT_QUESTIONS)])
            for n in range(args.new):
                stack.say(f"prof-new{n}-{uuid.uuid4().hex[:6]}", "hej")
            elapsed = time.perf_counter() - start
            for proc in stack.procs:
                os.kill(proc.pid, signal.SIGUSR2)
            for out in outs.values():
                _wait_for(out.with_suffix(".done"))
        finally:
            stack.stop()
    total = args.messages + args.new
    print(f"{total} meddelanden på {elapsed:.2f} s ({1000 * elapsed / total:.0f} ms/meddelande, "
          f"med profilerare). Profiler: {OUT}/rasa.html, {OUT}/actions.html")
    lines = outs["rasa"].with_suffix(".txt").read_text().splitlines()
    print("\n".join(lines[:120]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
