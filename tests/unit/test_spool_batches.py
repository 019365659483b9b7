"""A turn's events go to the spool together: in order, one fsync, all or none."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from kontaktcenter.records.recorder import Recorder
from kontaktcenter.records.spool import ACTIVE, Spool, SpoolWriteError

REAL_WRITE = os.write
REAL_FSYNC = os.fsync


def drained(spool: Spool) -> list[dict]:
    seen: list[dict] = []
    assert spool.drain(seen.append).complete
    return seen


def test_a_batch_is_kept_in_order_with_one_fsync(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 0})
    syncs: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: (syncs.append(fd), REAL_FSYNC(fd))[1])
    spool.append_many([{"n": 1, "text": "rad\nbrytning"}, '{"n": 2}', {"n": 3}])
    monkeypatch.undo()
    assert len(syncs) == 1
    assert [e["n"] for e in drained(spool)] == [0, 1, 2, 3]


def test_a_failed_batch_leaves_none_of_its_events(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path)
    spool.append({"n": 0})
    size = (tmp_path / ACTIVE).stat().st_size

    def full(fd: int, data: bytes) -> int:
        if len(data) > 20:
            return REAL_WRITE(fd, bytes(data[:20]))  # the first event and a bit fit ...
        raise OSError(errno.ENOSPC, "No space left on device")  # ... then the disk is full

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(SpoolWriteError):
        spool.append_many([{"n": 1}, {"n": 2, "text": "får inte plats"}])
    monkeypatch.undo()
    assert (tmp_path / ACTIVE).stat().st_size == size
    assert [e["n"] for e in drained(spool)] == [0]


def test_the_recorder_keeps_a_batch_in_memory_when_the_spool_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder(None, tmp_path / "spool")  # not started: nothing drains
    assert recorder.submit_many([{"n": 1}, {"n": 2}])

    def broken(self: Spool, events: object) -> None:
        raise SpoolWriteError(errno.EIO, "spool not writable")

    monkeypatch.setattr(Spool, "append_many", broken)
    assert not recorder.submit_many([{"n": 3}, {"n": 4}])
    status = recorder.status()
    assert not status.durable and status.in_memory == 2
    assert status.spooled_total == 2 and status.spool_failures_total == 1
    monkeypatch.undo()
    # Later events wait behind those in memory instead of overtaking them in the spool.
    assert not recorder.submit_many([{"n": 5}])
    assert recorder.status().in_memory == 3
    assert [e["n"] for e in drained(recorder.spool)] == [1, 2]
