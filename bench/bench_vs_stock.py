"""Benchmark: the full product against a stock ``rasa init`` bot, in the same run.

Both run at once on this machine (bench/stock_bot.py; tests/e2e/stack.py: SQL tracker
store, action server, the register's event broker) and are measured in turns, the order
swapped every round, so that load from anything else on the machine hits both alike.
Printed are ratios, not absolute times (issue 15):

* throughput with 20 concurrent conversations, product / stock: goal >= 0.9
* p95 per message of one conversation, product / stock:          goal <= 1.2

and the resident memory of each Rasa process. Exits 1 if a goal is missed.

Usage: .venv/bin/python bench/bench_vs_stock.py [--rounds 3] [--messages 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rest_load import Latency, Throughput, concurrent, one_conversation
from stock_bot import cpu_seconds, post_rest, rss_mb, start_stock_bot

from tests.e2e.stack import RasaStack

THROUGHPUT_GOAL = 0.9  # product / stock, 20 concurrent conversations
P95_GOAL = 1.2  # product / stock, one conversation
CONVERSATIONS = 20

# Each bot gets questions of its own domain (the stock bot knows moods and greetings).
STOCK_QUESTIONS = ["hello", "I am great", "I am sad", "yes", "no", "are you a bot?",
                   "good morning", "bye"]
PRODUCT_QUESTIONS = [
    "hej", "vad har ni för telefonnummer", "var ligger ni", "när har ni öppet",
    "har ni öppet på julafton", "vad är HiD", "är ni öppna nu", "tack",
]
# One resident asking many questions back to back is a flood to the product's channels
# (kontaktcenter/flood.py); the benchmark measures the message path, so limits are lifted.
NO_FLOOD_LIMITS = {"KC_FLOOD_SENDER_BURST": "1000000", "KC_FLOOD_SENDER_IN_FLIGHT": "1000",
                   "KC_FLOOD_ADDRESS_BURST": "1000000"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=40,
                        help="messages in the one-conversation latency run")
    parser.add_argument("--per-conversation", type=int, default=8,
                        help="messages per conversation in the concurrent run")
    args = parser.parse_args()

    latency: dict[str, list[Latency]] = {"stock": [], "product": []}
    load: dict[str, list[Throughput]] = {"stock": [], "product": []}
    memory: dict[str, float] = {}
    # CPU per message in the concurrent runs, per process: where a message's cost is paid.
    cpu: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, start_stock_bot() as stock:
        product = RasaStack(Path(tmp), extra_env=NO_FLOOD_LIMITS).start()
        try:
            runs = {
                "stock": (partial(post_rest, stock.url), STOCK_QUESTIONS),
                "product": (product.say, PRODUCT_QUESTIONS),
            }
            pids = {"stock": {"stock (rasa run)": stock.process.pid},
                    "product": {"produkt (rasa_server)": product.procs[1].pid,
                                "produkt (action server)": product.procs[0].pid}}
            for say, questions in runs.values():  # warm-up: first-use costs
                concurrent(say, questions, 4, 2, prefix="warm")
            for n in range(args.rounds):
                order = ["stock", "product"] if n % 2 == 0 else ["product", "stock"]
                for name in order:
                    say, questions = runs[name]
                    latency[name].append(one_conversation(say, questions, args.messages))
                for name in reversed(order):
                    say, questions = runs[name]
                    before = {k: cpu_seconds(pid) for k, pid in pids[name].items()}
                    result = concurrent(say, questions, CONVERSATIONS, args.per_conversation)
                    load[name].append(result)
                    for k, pid in pids[name].items():
                        used = cpu_seconds(pid) - before[k]
                        cpu.setdefault(k, []).append(1000 * used / result.messages)
                print(f"runda {n + 1}: " + "; ".join(
                    f"{k} p95 {latency[k][-1].p95_ms:.0f} ms, "
                    f"{load[k][-1].messages_per_s:.1f} msg/s" for k in order), flush=True)
            memory = {"stock (rasa run)": stock.rss_mb(),
                      "produkt (rasa_server)": rss_mb(product.procs[1].pid),
                      "produkt (action server)": rss_mb(product.procs[0].pid)}
        finally:
            product.stop()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    rows = {}
    for name in ("stock", "product"):
        rows[name] = (med([r.p50_ms for r in latency[name]]),
                      med([r.p95_ms for r in latency[name]]),
                      med([r.messages_per_s for r in load[name]]),
                      med([r.p95_ms for r in load[name]]))
    print(f"\n{'':10} {'1 samtal p50':>13} {'p95':>8} {'20 samtal msg/s':>16} {'p95':>8}")
    for name, (p50, p95, tput, cp95) in rows.items():
        print(f"{name:10} {p50:10.0f} ms {p95:5.0f} ms {tput:16.1f} {cp95:5.0f} ms")
    throughput_ratio = rows["product"][2] / rows["stock"][2]
    p95_ratio = rows["product"][1] / rows["stock"][1]
    print(f"\nGenomströmning produkt/stock vid {CONVERSATIONS} samtal: {throughput_ratio:.2f} "
          f"(mål >= {THROUGHPUT_GOAL})")
    print(f"p95 ett samtal produkt/stock: {p95_ratio:.2f} (mål <= {P95_GOAL})")
    print("CPU per meddelande vid 20 samtal (median): " + ", ".join(
        f"{k} {med(v):.1f} ms" for k, v in cpu.items()))
    print("Minne (RSS): " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items()))
    ok = throughput_ratio >= THROUGHPUT_GOAL and p95_ratio <= P95_GOAL
    print("Mål uppnådda." if ok else "Mål missade.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
