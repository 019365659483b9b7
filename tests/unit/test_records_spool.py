"""The durable spool: append, drain in order, stop on outage, reject bad lines."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy.exc import OperationalError

from kontaktcenter.records.recorder import is_transient
from kontaktcenter.records.spool import REJECTED, Spool


def test_append_and_drain_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    assert not spool.pending()
    for i in range(120):
        spool.append({"n": i, "text": "rad\nbrytning åäö"})
    assert spool.pending() and spool.count() == 120
    seen: list[int] = []
    result = spool.drain(lambda e: seen.append(e["n"]))
    assert result.complete and result.written == 120
    assert seen == list(range(120))
    assert not spool.pending() and spool.count() == 0


def test_drain_stops_at_outage_and_resumes_without_loss(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for i in range(10):
        spool.append({"n": i})
    seen: list[int] = []
    database_down = {"now": True}

    def flaky(event: dict) -> None:
        if event["n"] == 4 and database_down["now"]:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        seen.append(event["n"])

    first = spool.drain(flaky, is_transient)
    assert not first.complete and first.written == 4
    spool.append({"n": 10})  # arrives while the database is away
    assert spool.count() == 7
    database_down["now"] = False
    second = spool.drain(flaky, is_transient)
    assert second.complete
    assert seen == list(range(11))


def test_a_replayed_segment_is_harmless_when_writes_are_idempotent(tmp_path: Path) -> None:
    """Offsets are saved every few events: a crash can replay a few, never skip any."""
    spool = Spool(tmp_path)
    for i in range(5):
        spool.append({"n": i})
    spool._rotate()
    segment = next(tmp_path.glob("segment-*.jsonl"))
    segment.with_suffix(".offset").write_text("0")
    written: set[int] = set()
    spool.drain(lambda e: written.add(e["n"]))
    assert written == set(range(5))


def test_bad_lines_are_rejected_not_blocking(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    with open(tmp_path / "events.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"halv rad\n')  # a torn write after a crash
    spool.append({"n": 2})
    spool.append({"n": 3, "bad": True})
    seen: list[int] = []

    def write(event: dict) -> None:
        if event.get("bad"):
            raise KeyError("poison")
        seen.append(event["n"])

    result = spool.drain(write, is_transient)
    assert result.complete and result.rejected == 2 and seen == [1, 2]
    rejected = [json.loads(x) for x in (tmp_path / REJECTED).read_text().splitlines()]
    assert len(rejected) == 2 and "halv rad" in rejected[0]["line"]


def test_only_one_drain_at_a_time(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    started, release = threading.Event(), threading.Event()

    def slow(event: dict) -> None:
        started.set()
        release.wait(5)

    thread = threading.Thread(target=spool.drain, args=(slow,))
    thread.start()
    started.wait(5)
    assert spool.drain(lambda e: None).written == 0  # the other drain holds the lock
    release.set()
    thread.join(5)
    assert not spool.pending()


def test_transient_classification() -> None:
    assert is_transient(OperationalError("x", {}, Exception("no such table: cases")))
    assert is_transient(OSError("disk"))
    assert not is_transient(KeyError("x"))
