"""The durable local spool: every event is written here before Rasa goes on.

Append-only JSON lines under ``var/spool/`` (written in full and fsynced per append:
one event, or a turn's events together), so neither a database outage nor a crash
loses an accepted event. :meth:`Spool.drain` hands the events, oldest first, to a
writer; writing is idempotent, so an event replayed after a crash is harmless. A
failed append (disk full, I/O error) cuts the file back to where it was and raises
:class:`SpoolWriteError`: never half a line.

Layout: new events go to ``events.jsonl``. A drain first renames it to a numbered
``segment-*.jsonl`` (under a lock), then works through the segments, remembering its
position in ``segment-*.offset``; a finished segment is deleted. An event that can
never be written (not a database problem) goes to ``rejected.jsonl`` for a person to
look at, instead of blocking everything behind it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ACTIVE = "events.jsonl"
REJECTED = "rejected.jsonl"
PROBE = "probe.tmp"
_PROBE_BYTES = 4096  # one file-system block: what the next event needs at least
_OFFSET_EVERY = 50  # events between offset saves; replays are idempotent anyway


@dataclass
class DrainResult:
    written: int = 0
    rejected: int = 0
    stopped_by: BaseException | None = None  # the transient error that stopped the drain

    @property
    def complete(self) -> bool:
        return self.stopped_by is None


class SpoolWriteError(OSError):
    """The spool could not keep an event (disk full, I/O error); nothing was half-written."""


def _parse(line: bytes) -> dict[str, Any]:
    event = json.loads(line)
    if not isinstance(event, dict):
        raise ValueError("not a JSON object")
    return event


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` may write less than asked (full disk, signals): loop until done."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "write returned 0 bytes")
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cut_back(fd: int, length: int) -> None:
    """Undo a partial append; if even that fails the next append starts a new line."""
    try:
        os.ftruncate(fd, length)
        os.fsync(fd)
    except OSError:
        logger.error("Could not cut the spool back after a failed write.")


class Spool:
    """Append-only JSONL spool in ``directory``; safe across threads and processes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _write_batch(
        self,
        batch: list[tuple[bytes, int]],
        write: Callable[[dict[str, Any]], object],
        write_many: Callable[[list[dict[str, Any]]], object] | None,
        is_transient: Callable[[BaseException], bool],
        result: DrainResult,
    ) -> int:
        """Write the batch's lines (together when possible); how many are done.

        Fewer than all means a transient error stopped it (``result.stopped_by``).
        """
        if write_many is not None and len(batch) > 1:
            try:
                events = [_parse(line) for line, _ in batch]
                write_many(events)
                result.written += len(events)
                return len(batch)
            except Exception as exc:
                if not isinstance(exc, (ValueError, TypeError)) and is_transient(exc):
                    result.stopped_by = exc
                    return 0
                # One of them is bad (or a replay): one at a time finds which.
        for done, (line, _) in enumerate(batch):
            try:
                write(_parse(line))
                result.written += 1
            except Exception as exc:
                if not isinstance(exc, (ValueError, TypeError)) and is_transient(exc):
                    result.stopped_by = exc
                    return done
                logger.error("Spooled event rejected: %s", exc)
                self.reject(line, exc)
                result.rejected += 1
        return len(batch)

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
        """Write one event durably (whole line + fsync) before returning.

        Raises :class:`SpoolWriteError` when that is impossible; the file is then cut
        back to its previous length so that no partial line is left behind.
        """
        self.append_many([event])

    def append_many(self, events: Sequence[Mapping[str, Any] | str]) -> None:
        """Write several events durably with one write and one fsync, all or none.

        Rasa saves a turn's events (user message, actions, bot replies) together; one
        fsync for the turn instead of one per event. On failure the file is cut back
        to its previous length, so none of them is kept and :class:`SpoolWriteError`
        is raised."""
        if not events:
            return
        data = b"".join(
            ((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False, default=str))
             .replace("\n", " ") + "\n").encode("utf-8")
            for e in events
        )
        try:
            self._append(data)
        except SpoolWriteError:
            raise
        except OSError as exc:
            raise SpoolWriteError(exc.errno, f"spool not writable: {exc}") from exc

    def _append(self, data: bytes) -> None:
        with self._lock("append.lock"):
            path = self.directory / ACTIVE
            new = not path.exists()
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                start = os.lseek(fd, 0, os.SEEK_END)
                if start and os.pread(fd, 1, start - 1) != b"\n":
                    data = b"\n" + data  # a crash left half a line: keep ours whole
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                except OSError as exc:
                    _cut_back(fd, start)
                    raise SpoolWriteError(exc.errno, f"spool write failed: {exc}") from exc
            finally:
                os.close(fd)
            if new:
                _fsync_dir(self.directory)

    def writable(self) -> bool:
        """True when a block can be written and synced now (probe after a failure)."""
        path = self.directory / PROBE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, b"\0" * _PROBE_BYTES)
                os.fsync(fd)
            finally:
                os.close(fd)
            return True
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

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
        """Remember the drain position; if the disk is full, a replay is harmless."""
        tmp = self._offset_path(segment).with_suffix(".offset.tmp")
        try:
            tmp.write_text(str(offset))
            os.replace(tmp, self._offset_path(segment))
        except OSError as exc:
            logger.warning("Could not save the spool position (%s); events may be replayed.", exc)

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
        write_many: Callable[[list[dict[str, Any]]], object] | None = None,
    ) -> DrainResult:
        """Write the spooled events in order with ``write``.

        Stops at the first transient error (database still away) and keeps the rest;
        any other error moves that one event to ``rejected.jsonl``. Only one drain runs
        at a time; a concurrent call returns at once with nothing written.

        With ``write_many`` (all or nothing), up to ``_OFFSET_EVERY`` events at a time are
        written together; a batch that fails with an error that is not transient is
        written again one event at a time with ``write``, so only the bad event is set
        aside.
        """
        result = DrainResult()
        with self._lock("drain.lock", blocking=False) as got:
            if not got:
                return result
            self._rotate()
            for segment in self._segments():
                if not self._drain_segment(segment, write, is_transient, result, write_many):
                    break
        return result

    def _drain_segment(
        self,
        segment: Path,
        write: Callable[[dict[str, Any]], object],
        is_transient: Callable[[BaseException], bool],
        result: DrainResult,
        write_many: Callable[[list[dict[str, Any]]], object] | None,
    ) -> bool:
        offset = self._offset(segment)
        batch: list[tuple[bytes, int]] = []  # each line, and the position after it
        with open(segment, "rb") as handle:
            handle.seek(offset)
            start = offset  # where the batch's first line begins
            for line in handle:
                offset += len(line)
                if line.strip():
                    batch.append((line, offset))
                if len(batch) >= _OFFSET_EVERY:
                    done = self._write_batch(batch, write, write_many, is_transient, result)
                    if done < len(batch):
                        self._save_offset(segment, batch[done - 1][1] if done else start)
                        return False
                    self._save_offset(segment, offset)
                    batch, start = [], offset
            done = self._write_batch(batch, write, write_many, is_transient, result)
            if done < len(batch):
                self._save_offset(segment, batch[done - 1][1] if done else start)
                return False
        segment.unlink()
        self._offset_path(segment).unlink(missing_ok=True)
        return True
