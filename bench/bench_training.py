"""Benchmark: how long training takes from scratch (issue 10: under 3 minutes on 2 cores).

Runs ``rasa train nlu`` and then ``rasa train core`` as the Makefile's tools would, each in
its own process with an empty Rasa cache (so nothing is reused from an earlier run) and
output in a temporary directory (models/ is never touched). Prints the seconds per part
and the total; exits 1 when the total exceeds the goal or a training run fails.

Usage: .venv/bin/python bench/bench_training.py [--limit-seconds 180] [--keep DIR]
(``--keep`` writes the two models to DIR instead of discarding them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 180.0


def rasa_binary() -> str:
    """The rasa next to the running Python (the project's virtualenv)."""
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


def timed_train(part: str, out: Path, cache: Path) -> float:
    """Wall-clock seconds of one ``rasa train <part>`` run; raises if it fails."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false",
           "RASA_CACHE_DIRECTORY": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                      os.environ.get("PYTHONPATH")]))}
    command = [rasa_binary(), "train", part, "--quiet", "--out", str(out),
               "--fixed-model-name", part]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not (out / f"{part}.tar.gz").exists():
        raise RuntimeError(f"rasa train {part} failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-seconds", type=float, default=GOAL_SECONDS)
    parser.add_argument("--keep", type=Path, help="keep the trained models in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        out, cache = args.keep or Path(tmp) / "models", Path(tmp) / "cache"
        try:
            nlu = timed_train("nlu", out, cache)
            core = timed_train("core", out, cache)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
    total = nlu + core
    print(f"Training from scratch on {os.cpu_count()} CPU cores: "
          f"nlu {nlu:.0f} s + core {core:.0f} s = {total:.0f} s "
          f"(goal <= {args.limit_seconds:.0f} s)")
    if total > args.limit_seconds:
        print("FAIL: training is slower than the goal", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
