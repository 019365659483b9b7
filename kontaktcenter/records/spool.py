"""A durable local spool for events the register could not write yet.

Append-only JSON lines under ``var/spool/`` (flushed and fsynced per event), so a
database outage loses nothing. :meth:`Spool.drain` hands the events, oldest first, to
a writer; writing is idempotent, so an event replayed after a crash is harmless.

Layout: new events go to ``events.jsonl``. A drain first renames it to a numbered
``segment-*.jsonl`` (under a lock), then works through the segments, remembering its
position in ``segment-*.offset``; a finished segment is deleted. An event that can
never be written (not a database problem) goes to ``rejected.jsonl`` for a person to
look at, instead of blocking everything behind it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ACTIVE = "events.jsonl"
REJECTED = "rejected.jsonl"
_OFFSET_EVERY = 50  # events between offset saves; replays are idempotent anyway


@dataclass
class DrainResult:
    written: int = 0
    rejected: int = 0
    stopped_by: BaseException | None = None  # the transient error that stopped the drain

    @property
    def complete(self) -> bool:
        return self.stopped_by is None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """Append-only JSONL spool in ``directory``; safe across threads and processes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _lock(self, name: str, blocking: bool = True) -> Iterator[bool]:
        with open(self.directory / name, "a+b") as handle:
            flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, event: Mapping[str, Any] | str) -> None:
        """Write one event durably (flush + fsync) before returning."""
        line = (
            event if isinstance(event, str) else json.dumps(event, ensure_ascii=False, default=str)
        )
        data = (line.replace("\n", " ") + "\n").encode("utf-8")
        with self._lock("append.lock"):
            path = self.directory / ACTIVE
            new = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                _fsync_dir(self.directory)

    def _segments(self) -> list[Path]:
        return sorted(self.directory.glob("segment-*.jsonl"))

    def pending(self) -> bool:
        """True while any event waits to be written."""
        active = self.directory / ACTIVE
        return bool(self._segments()) or (active.exists() and active.stat().st_size > 0)

    def count(self) -> int:
        """Events waiting (for status output and tests)."""
        total = 0
        for path in [*self._segments(), self.directory / ACTIVE]:
            if not path.exists():
                continue
            start = self._offset(path)
            with open(path, "rb") as handle:
                handle.seek(start)
                total += sum(1 for line in handle if line.strip())
        return total

    def oldest_pending_timestamp(self) -> float | None:
        """The Rasa timestamp of the oldest event still waiting (for the metrics)."""
        for path in [*self._segments(), self.directory / ACTIVE]:
            if not path.exists():
                continue
            with open(path, "rb") as handle:
                handle.seek(self._offset(path))
                for line in handle:
                    if not line.strip():
                        continue
                    try:
                        return float(json.loads(line)["timestamp"])
                    except (ValueError, TypeError, KeyError):
                        return os.stat(path).st_mtime
        return None

    def _rotate(self) -> None:
        with self._lock("append.lock"):
            active = self.directory / ACTIVE
            if active.exists() and active.stat().st_size > 0:
                target = self.directory / f"segment-{time.time_ns():020d}.jsonl"
                os.replace(active, target)
                _fsync_dir(self.directory)

    @staticmethod
    def _offset_path(segment: Path) -> Path:
        return segment.with_suffix(".offset")

    def _offset(self, segment: Path) -> int:
        try:
            return int(self._offset_path(segment).read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def _save_offset(self, segment: Path, offset: int) -> None:
        tmp = self._offset_path(segment).with_suffix(".offset.tmp")
        tmp.write_text(str(offset))
        os.replace(tmp, self._offset_path(segment))

    def reject(self, line: bytes, error: BaseException) -> None:
        """Set an event aside that can never be written, for a person to inspect."""
        record = {
            "error": f"{type(error).__name__}: {error}",
            "line": line.decode("utf-8", "replace"),
        }
        with open(self.directory / REJECTED, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def drain(
        self,
        write: Callable[[dict[str, Any]], object],
        is_transient: Callable[[BaseException], bool] = lambda exc: True,
    ) -> DrainResult:
        """Write the spooled events in order with ``write``.

        Stops at the first transient error (database still away) and keeps the rest;
        any other error moves that one event to ``rejected.jsonl``. Only one drain runs
        at a time; a concurrent call returns at once with nothing written.
        """
        result = DrainResult()
        with self._lock("drain.lock", blocking=False) as got:
            if not got:
                return result
            self._rotate()
            for segment in self._segments():
                if not self._drain_segment(segment, write, is_transient, result):
                    break
        return result

    def _drain_segment(
        self,
        segment: Path,
        write: Callable[[dict[str, Any]], object],
        is_transient: Callable[[BaseException], bool],
        result: DrainResult,
    ) -> bool:
        offset = self._offset(segment)
        since_save = 0
        with open(segment, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                if line.strip():
                    try:
                        event = json.loads(line)
                        if not isinstance(event, dict):
                            raise ValueError("not a JSON object")
                        write(event)
                        result.written += 1
                    except Exception as exc:
                        if not isinstance(exc, (ValueError, TypeError)) and is_transient(exc):
                            self._save_offset(segment, offset)
                            result.stopped_by = exc
                            return False
                        logger.error("Spooled event rejected: %s", exc)
                        self.reject(line, exc)
                        result.rejected += 1
                offset += len(line)
                since_save += 1
                if since_save >= _OFFSET_EVERY:
                    self._save_offset(segment, offset)
                    since_save = 0
        segment.unlink()
        self._offset_path(segment).unlink(missing_ok=True)
        return True
