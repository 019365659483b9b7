"""The recorder writes the spool in batches: one transaction each, the same register.

A batch is all or nothing; one that fails for any reason other than an outage is
written again one event at a time, which finds the replayed or the bad event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from kontaktcenter.records.recorder import Recorder, drain_spool, is_transient
from kontaktcenter.records.spool import REJECTED, Spool
from tests.records_events import T0, make_register, mixed_events, register_dump
from tests.unit.conftest import register_copy


@pytest.fixture()
def second_url(records_template: Path, tmp_path: Path) -> Iterator[str]:
    """A second register, to compare two ways of writing the same events."""
    yield from register_copy(records_template, tmp_path / "second")


def test_a_batch_gives_the_same_register_as_one_event_at_a_time(
    sqlite_url: str, second_url: str
) -> None:
    events = mixed_events()
    one_by_one, batched = make_register(sqlite_url), make_register(second_url)
    for register in (one_by_one, batched):  # action_session_start's pending ärende
        register.open_session_case("batch-b", T0 + timedelta(seconds=0.5))
    for event in events:
        one_by_one.record_event(event)
    kept = batched.record_events(events[:7]) + batched.record_events(events[7:])
    expected = register_dump(one_by_one)
    assert register_dump(batched) == expected
    assert kept == len(events) - 2  # the slot and the action are not the register's
    assert len(expected["cases"]) == 4 and len(expected["messages"]) == 11
    masked = [m for m in expected["messages"] if m[8] is not None]
    assert len(masked) == 1 and "070-123 45 67" not in masked[0][5]


def test_a_replayed_batch_is_refused_whole_and_changes_nothing(sqlite_url: str) -> None:
    register = make_register(sqlite_url)
    events = mixed_events()
    register.record_events(events)
    before = register_dump(register)
    new = [e | {"timestamp": e["timestamp"] + 3600} for e in events[-3:]]
    with pytest.raises(IntegrityError):
        register.record_events([*new, events[3]])  # one replayed message among new ones
    assert register_dump(register) == before


def test_the_recorder_drain_keeps_every_message_once_after_a_replay(
    sqlite_url: str, tmp_path: Path
) -> None:
    """After a crash a spool can hold events already written: the batch falls back."""
    register = make_register(sqlite_url)
    events = mixed_events()
    register.record_events(events[:6])
    spool = Spool(tmp_path / "spool")
    spool.append_many(events)  # the first six are replays
    result = drain_spool(register, tmp_path / "spool")
    assert result.complete and result.rejected == 0 and not spool.pending()
    keys = [m[7] for m in register_dump(register)["messages"]]
    assert len(keys) == len(set(keys)) == 11


def test_batches_keep_order_and_size(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append_many([{"n": i} for i in range(120)])
    batches: list[list[int]] = []
    result = spool.drain(lambda e: batches.append([e["n"]]),
                         write_many=lambda events: batches.append([e["n"] for e in events]))
    assert result.complete and result.written == 120
    assert [n for batch in batches for n in batch] == list(range(120))
    assert [len(b) for b in batches] == [50, 50, 20]


def test_a_bad_event_in_a_batch_is_set_aside_alone(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append_many([{"n": i, "bad": i == 7} for i in range(10)])
    kept: list[int] = []

    def write(event: dict) -> None:
        if event["bad"]:
            raise KeyError("poison")
        kept.append(event["n"])

    def write_many(events: list[dict]) -> None:  # all or nothing, like the register
        if any(e["bad"] for e in events):
            raise KeyError("poison")
        kept.extend(e["n"] for e in events)

    result = spool.drain(write, is_transient, write_many)
    assert result.complete and result.rejected == 1 and result.written == 9
    assert kept == [n for n in range(10) if n != 7]
    rejected = [json.loads(line) for line in (tmp_path / REJECTED).read_text().splitlines()]
    assert [json.loads(r["line"])["n"] for r in rejected] == [7]


def test_an_outage_during_a_batch_keeps_it_for_later(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append_many([{"n": i} for i in range(60)])
    kept: list[int] = []
    down = {"now": True}

    def write_many(events: list[dict]) -> None:
        if down["now"] and events[0]["n"] >= 50:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        kept.extend(e["n"] for e in events)

    first = spool.drain(lambda e: kept.append(e["n"]), is_transient, write_many)
    assert not first.complete and first.written == 50 and spool.count() == 10
    down["now"] = False
    assert spool.drain(lambda e: kept.append(e["n"]), is_transient, write_many).complete
    assert kept == list(range(60)) and not spool.pending()


def test_the_recorder_writes_what_waits_in_one_transaction(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Turns that arrive while the worker is busy (here: before it starts) are written
    together, not one transaction per event."""
    register = make_register(sqlite_url)
    batches: list[int] = []
    real = register.record_events

    def counting(events: list[dict]) -> int:
        batches.append(len(events))
        return real(events)

    register.record_events = counting  # type: ignore[method-assign]
    recorder = Recorder(sqlite_url, tmp_path / "spool", register_factory=lambda url: register)
    events = mixed_events()
    for start in range(0, len(events), 3):  # one submit per turn, as Rasa saves them
        assert recorder.submit_many(events[start:start + 3])
    recorder.start()
    try:
        assert recorder.wait_drained(20)
    finally:
        recorder.stop()
    assert batches == [len(events)]
    assert len(register_dump(register)["messages"]) == 11


def test_a_late_message_in_a_batch_goes_to_the_arende_of_its_time(
    sqlite_url: str, second_url: str
) -> None:
    """A message older than the one before it (the spool of a server that died, an
    agent's last words) is not put into the ärende the batch last used."""
    from tests.records_events import ev

    t = T0
    events = [
        ev("session_started", "late", t),
        ev("user", "late", t + timedelta(seconds=1), "första sessionen"),
        ev("session_started", "late", t + timedelta(seconds=100)),
        ev("user", "late", t + timedelta(seconds=101), "andra sessionen"),
        ev("bot", "late", t + timedelta(seconds=50), "sent svar i första",
           metadata={"kc_agent": "Anna Andersson"}),
        ev("user", "late", t + timedelta(seconds=102), "andra igen"),
    ]
    one_by_one, batched = make_register(sqlite_url), make_register(second_url)
    for event in events:
        one_by_one.record_event(event)
    batched.record_events(events)
    expected = register_dump(one_by_one)
    assert register_dump(batched) == expected
    first, second = sorted(expected["cases"])[:2]
    by_case = {c: [m[5] for m in expected["messages"] if m[0] == c]
               for c in (first[0], second[0])}
    assert by_case[first[0]] == ["första sessionen", "sent svar i första"]
    assert by_case[second[0]] == ["andra sessionen", "andra igen"]
