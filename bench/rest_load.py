"""A small REST load driver shared by the benchmarks (stock bot, product, cluster).

``Say`` is any function that sends one resident message and returns the replies, e.g.
``functools.partial(post_rest, url)`` for a bot's REST webhook or ``RasaStack.say``.
Two measures: latency per message in one conversation (p50/p95), and messages per second
with many conversations at once (each conversation sends its messages one after another,
as a resident waits for the answer before writing again).
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

Say = Callable[[str, str], object]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of sorted or unsorted values (0 < share <= 1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Latency:
    """Milliseconds per message for one conversation."""

    p50_ms: float
    p95_ms: float
    samples: int


@dataclass(frozen=True)
class Throughput:
    """Messages per second with ``conversations`` at once, and p95 per message then."""

    messages_per_s: float
    p95_ms: float
    conversations: int
    messages: int


def one_conversation(say: Say, questions: Sequence[str], messages: int,
                     prefix: str = "bench") -> Latency:
    """``messages`` questions in one conversation, back to back, after one warm-up turn.

    The warm-up pays the session start and first-use costs, which are measured by
    ``concurrent`` (every conversation there is new)."""
    sender = f"{prefix}-{uuid.uuid4().hex[:8]}"
    say(sender, questions[0])
    latencies = []
    for i in range(messages):
        start = time.perf_counter()
        say(sender, questions[i % len(questions)])
        latencies.append((time.perf_counter() - start) * 1000)
    return Latency(statistics.median(latencies), percentile(latencies, 0.95), len(latencies))


def concurrent(say: Say, questions: Sequence[str], conversations: int = 20,
               per_conversation: int = 5, prefix: str = "bench") -> Throughput:
    """``conversations`` new conversations at once, each asking ``per_conversation``
    questions in turn; total messages over wall time."""
    tag = uuid.uuid4().hex[:6]

    def conversation(n: int) -> list[float]:
        sender = f"{prefix}-c{n}-{tag}"
        took = []
        for i in range(per_conversation):
            start = time.perf_counter()
            say(sender, questions[i % len(questions)])
            took.append((time.perf_counter() - start) * 1000)
        return took

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        results = list(pool.map(conversation, range(conversations)))
    elapsed = time.perf_counter() - start
    latencies = [ms for took in results for ms in took]
    return Throughput(len(latencies) / elapsed, percentile(latencies, 0.95),
                      conversations, len(latencies))
