"""Benchmark: Swedish date-expression parsing per message (goal: mean < 1 ms)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from kontaktcenter.dates import parse_date_expression

PHRASES = [
    "har ni öppet på julafton?", "öppet nästa tisdag", "när stänger ni idag",
    "har ni öppet den 24 december kl 15", "vad är HiD", "öppet 2026-12-31?",
    "kan jag komma vid halv fem på fredag", "ring 042-10 50 00", "a" * 2000,
]
GOAL_MS = 1.0


def main() -> int:
    now = datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("Europe/Stockholm"))
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        for phrase in PHRASES:
            parse_date_expression(phrase, now)
    mean_ms = (time.perf_counter() - start) * 1000 / (rounds * len(PHRASES))
    print(f"parse_date_expression: {mean_ms * 1000:.1f} µs per meddelande (mål < {GOAL_MS} ms)")
    return 0 if mean_ms < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
