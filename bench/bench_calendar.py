"""Time the opening-hours calendar: is_open, hours_on and status over random instants.

Plain script (no pytest): ``python bench/bench_calendar.py [--calls N] [--seed S]``.
Exceptions come from a real SQLite database with the migrations applied, read through
the same 5-second cache the bot uses. Exits 1 when the mean ``status()`` exceeds 1 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time as _time
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kontaktcenter.calendar import (  # noqa: E402
    STOCKHOLM,
    build_calendar_service,
    format_open_now,
    load_hours_config,
)
from kontaktcenter.db import get_database  # noqa: E402
from kontaktcenter.db.migrate import upgrade  # noqa: E402

LIMIT_MS = 1.0
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = int((datetime(2031, 1, 1, tzinfo=timezone.utc) - START).total_seconds())


def _measure(label: str, func: Callable[[datetime], object], instants: list[datetime]) -> float:
    """Mean microseconds per call of ``func`` over ``instants``."""
    started = _time.perf_counter()
    for moment in instants:
        func(moment)
    mean_us = (_time.perf_counter() - started) / len(instants) * 1e6
    print(f"{label:<28} {mean_us:8.2f} µs/anrop  ({len(instants)} anrop)")
    return mean_us


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mät öppettidskalenderns svarstider.")
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        config = load_hours_config(ROOT / "config" / "opening_hours.yml")
        service = build_calendar_service(url, config=config)
        for offset in range(0, 700, 7):  # about a hundred staff exceptions
            day = date(2026, 11, 27) + timedelta(days=offset)
            service.repository.put(day, opens=time(9), closes=time(15), note="Mätning.")
        calendar = service.calendar

        instants = [START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
                    for _ in range(args.calls)]
        naive = [moment.astimezone(STOCKHOLM).replace(tzinfo=None) for moment in instants]

        cold_started = _time.perf_counter()
        calendar.status(instants[0])
        cold_ms = (_time.perf_counter() - cold_started) * 1e3
        print(f"{'första status() (kall)':<28} {cold_ms:8.2f} ms")
        for moment in instants:  # warm the per-year tables so the figures are steady-state
            calendar.hours_on(moment)

        _measure("is_open (aware UTC)", calendar.is_open, instants)
        _measure("is_open (naiv lokal tid)", calendar.is_open, naive)
        _measure("hours_on", calendar.hours_on, instants)
        _measure("next_opening", calendar.next_opening, instants)
        status_us = _measure("status", calendar.status, instants)
        _measure("status + format_open_now",
                 lambda moment: format_open_now(calendar.status(moment)), instants)
        _measure("upcoming_exceptions (14 d)",
                 lambda moment: calendar.upcoming_exceptions(moment.date()),
                 instants[: max(1, len(instants) // 10)])
        get_database(url).dispose()

    if status_us / 1000 > LIMIT_MS:
        print(f"FEL: status() tar i medel {status_us / 1000:.3f} ms (gräns {LIMIT_MS} ms).")
        return 1
    print(f"OK: status() i medel {status_us:.1f} µs (gräns {LIMIT_MS * 1000:.0f} µs).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
