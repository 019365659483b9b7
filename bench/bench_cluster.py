"""Benchmark: throughput of the cluster (two Rasa servers behind HAProxy, `make cluster`).

Starts scripts/cluster.sh (tests/cluster/cluster.py: two Rasa servers, two action
servers, HAProxy, PostgreSQL trackers and register, Redis locks and socket.io), sends 20
concurrent REST conversations through HAProxy and reports messages/s and p95; in the
same run, the same load against a stock `rasa init` bot's single process
(bench/stock_bot.py), and the ratio (median over the rounds). Issue 15's goal: the
cluster at least 1.5x the stock bot on this 2-core machine. Exits 1 when it is missed.

Usage: .venv/bin/python bench/bench_cluster.py [--conversations 20] [--per 5]
       [--rounds 3] [--no-stock]

Both run side by side and are measured in alternating rounds (cluster, stock, cluster,
...): this machine's speed drifts by tens of percent within minutes, so a ratio of two
measurements taken minutes apart said more about the drift than about the product.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.rest_load import Throughput, concurrent
from bench.stock_bot import cpu_seconds, post_rest, start_stock_bot
from tests.cluster.cluster import Cluster, missing_services

QUESTIONS = ["hej", "vad har ni för telefonnummer", "var ligger ni", "när har ni öppet",
             "vad är HiD", "tack"]
STOCK_QUESTIONS = ["hello", "I am happy", "great", "are you a bot?", "goodbye"]
GOAL_RATIO = 1.5
NO_FLOOD_LIMITS = {"KC_FLOOD_SENDER_BURST": "1000000", "KC_FLOOD_SENDER_IN_FLIGHT": "1000",
                   "KC_FLOOD_ADDRESS_BURST": "1000000", "KC_FLOOD_ADDRESS_PER_SECOND": "100000"}


COMPONENTS = ["rasa1", "rasa2", "actions1", "actions2", "web", "haproxy"]


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle so far (/proc/stat): PostgreSQL and Redis too."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def seconds_of(command: str) -> float:
    """CPU seconds of every process named ``command`` (comm), with their reaped children:
    PostgreSQL's backends come and go, their time lands in the postmaster's."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")] != command:
            continue
        fields = text.rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def own_seconds() -> float:
    """CPU seconds of this process (the load driver)."""
    times = os.times()
    return times.user + times.system


OTHERS = {"postgres": lambda: seconds_of("postgres"),
          "redis": lambda: seconds_of("redis-server"),
          "driver": own_seconds}


def show(name: str, result: Throughput) -> None:
    print(f"{name:<34} {result.messages_per_s:6.1f} meddelanden/s   p95 {result.p95_ms:6.0f} ms"
          f"   ({result.conversations} samtal, {result.messages} meddelanden)", flush=True)


def measure_cluster(cluster: Cluster, conversations: int, per: int
                    ) -> tuple[Throughput, dict[str, float], float]:
    """One round against the cluster: throughput, CPU ms per message per component, and
    the whole machine's CPU ms per message."""
    say = functools.partial(post_rest, cluster.url)
    pids = {c: cluster.pid(c) for c in COMPONENTS}
    before = {c: cpu_seconds(pid) for c, pid in pids.items()}
    before_others = {name: read() for name, read in OTHERS.items()}
    busy = machine_busy_seconds()
    result = concurrent(say, QUESTIONS, conversations, per, "cluster")
    busy = machine_busy_seconds() - busy
    used = {c: 1000 * (cpu_seconds(pid) - before[c]) / result.messages
            for c, pid in pids.items()}
    used.update({name: 1000 * (read() - before_others[name]) / result.messages
                 for name, read in OTHERS.items()})
    return result, used, 1000 * busy / result.messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--per", type=int, default=5, help="meddelanden per samtal")
    parser.add_argument("--rounds", type=int, default=3,
                        help="omgångar, växelvis kluster och stock-bot")
    parser.add_argument("--no-stock", action="store_true", help="mät inte stock-boten")
    args = parser.parse_args()
    missing = missing_services()
    if missing:
        print("Klustret kan inte startas:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    ratios: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp, \
            contextlib.ExitStack() as stack:
        cluster = Cluster(Path(tmp), extra_env=NO_FLOOD_LIMITS)
        stack.callback(cluster.stop)
        cluster.start()
        # Warm-up as large as a round for both: the stock bot's first round used to be
        # its slowest (TensorFlow meets new batch shapes), which flattered the cluster.
        concurrent(functools.partial(post_rest, cluster.url), QUESTIONS, args.conversations,
                   args.per)
        stock_say = None
        if not args.no_stock:
            bot = stack.enter_context(start_stock_bot())
            stock_say = functools.partial(post_rest, bot.url)
            concurrent(stock_say, STOCK_QUESTIONS, args.conversations, args.per)
        # Alternating rounds: the machine's speed drifts (a shared VM), so each cluster
        # round is compared with the stock round right after it, and the median is kept.
        for number in range(1, args.rounds + 1):
            result, used, machine = measure_cluster(cluster, args.conversations, args.per)
            show(f"{number}. Kluster (2 Rasa-servrar, HAProxy)", result)
            print("   CPU per meddelande: " + ", ".join(f"{c} {ms:.1f} ms"
                                                       for c, ms in used.items())
                  + f"; hela maskinen {machine:.1f} ms (PostgreSQL, Redis, "
                  "lastdrivaren medräknade)", flush=True)
            if stock_say is not None:
                stock = concurrent(stock_say, STOCK_QUESTIONS, args.conversations, args.per,
                                   "stock")
                show(f"{number}. Stock-bot (rasa init, en process)", stock)
                ratios.append(result.messages_per_s / stock.messages_per_s)
    if not ratios:
        return 0
    ratio = statistics.median(ratios)
    verdict = "uppnått" if ratio >= GOAL_RATIO else "INTE uppnått"
    print("Kvoter kluster/stock-bot per omgång: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"Median: {ratio:.2f}x (mål >= {GOAL_RATIO}x: {verdict})")
    return 0 if ratio >= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
