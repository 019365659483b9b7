"""Background recording of chat events: a queue, one worker thread, a durable spool.

Rasa calls its event broker's ``publish`` synchronously inside its event loop, so a
slow or failing database must never reach the resident. :meth:`Recorder.submit` only
serialises the event and puts it on a queue; the worker writes it to the register, or,
when the database is unavailable or read-only, to the spool, which it drains (in order,
idempotently) once the database is back. It also closes cases that went quiet.
Plain Python; the Rasa glue is ``rasa_addons.event_broker``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc

from kontaktcenter.records.register import Register
from kontaktcenter.records.spool import DrainResult, Spool
from kontaktcenter.records.text import utc_now

logger = logging.getLogger(__name__)

_STOP = object()


class RegisterUnavailable(RuntimeError):
    """The register could not be set up (configuration or driver); retry later."""


def is_transient(exc: BaseException) -> bool:
    """True when waiting may help (database away, read-only, schema missing).

    Integrity and data errors are the event's own fault and would never succeed.
    """
    if isinstance(exc, (sa_exc.IntegrityError, sa_exc.DataError)):
        return False
    return isinstance(
        exc,
        (
            sa_exc.DBAPIError,
            sa_exc.DisconnectionError,
            sa_exc.TimeoutError,
            sa_exc.ArgumentError,
            sa_exc.NoSuchModuleError,
            RegisterUnavailable,
            OSError,
            ImportError,
        ),
    )


class Recorder:
    """Owns the queue, the worker thread and the spool for one register."""

    def __init__(
        self,
        url: str | None,
        spool_dir: str | Path,
        *,
        idle_after: timedelta = timedelta(minutes=60),
        close_every: float = 60.0,
        retry_every: float = 5.0,
        max_queue: int = 10_000,
        tick: float = 0.5,
        register_factory: Callable[[str | None], Register] | None = None,
    ) -> None:
        self.url = url
        self.spool = Spool(spool_dir)
        self.idle_after = idle_after
        self.close_every = close_every
        self.retry_every = retry_every
        self.tick = tick
        self._factory = register_factory or _make_register
        self._register: Register | None = None
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queue)
        self._pending = self.spool.pending()
        self._next_retry = 0.0
        self._next_close = time.monotonic() + close_every
        self._thread = threading.Thread(target=self._run, name="kc-records", daemon=True)
        self._started = False
        self._stopped = False

    # -- called from Rasa's event loop: never block, never raise ----------------------

    def submit(self, event: Mapping[str, Any]) -> None:
        try:
            line = json.dumps(event, ensure_ascii=False, default=str)
        except Exception:
            logger.exception("Event could not be serialised for the register; skipped.")
            return
        try:
            if self._stopped:
                self.spool.append(line)
                return
            self._queue.put_nowait(line)
        except queue.Full:
            logger.error("Register queue full; writing the event straight to the spool.")
            try:
                self.spool.append(line)
            except Exception:
                logger.exception("Spool write failed; event lost: %s", line[:200])
        except Exception:
            logger.exception("Event could not be queued for the register.")

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> Recorder:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def backlog(self) -> bool:
        """True while the spool holds events the database has not got yet."""
        return self._pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event has been handled (written or spooled)."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def wait_drained(self, timeout: float = 10.0) -> bool:
        """Wait until the queue is handled and the spool is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.wait_idle(max(0.0, deadline - time.monotonic())) and not self._pending:
                return True
            time.sleep(min(0.05, self.tick))
        return False

    def stop(self, timeout: float = 10.0) -> None:
        """Flush: handle what is queued (to the database or the spool), then stop."""
        if self._stopped:
            return
        self._stopped = True
        if self._started and self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put(_STOP, timeout=timeout)
            self._thread.join(timeout)
        self._spool_leftovers()

    # -- worker ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.tick)
            except queue.Empty:
                item = None
            try:
                if item is _STOP:
                    return
                if isinstance(item, str):
                    self._handle(item)
                self._maintain()
            except Exception:
                logger.exception("Register worker error (continuing).")
            finally:
                if item is not None:
                    self._queue.task_done()

    def _spool_leftovers(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                if isinstance(item, str):
                    self.spool.append(item)
            except Exception:
                logger.exception("Spool write failed at shutdown; event lost: %s", str(item)[:200])
            finally:
                self._queue.task_done()

    def _ensure_register(self) -> Register:
        if self._register is None:
            try:
                register = self._factory(self.url)
                # Load configuration now, so a broken file is "unavailable", not "bad event".
                _ = register.masker, register.policy, register.topics
            except Exception as exc:
                raise RegisterUnavailable(f"register not available: {exc}") from exc
            self._register = register
        return self._register

    def _write(self, event: dict[str, Any]) -> None:
        self._ensure_register().record_event(event)

    def _handle(self, line: str) -> None:
        if self._pending:  # keep order: behind what is already spooled
            self.spool.append(line)
            self._try_drain()
            return
        try:
            event = json.loads(line)
            self._write(event)
        except Exception as exc:
            if is_transient(exc):
                logger.warning("Register unavailable (%s); spooling events.", _short(exc))
                self.spool.append(line)
                self._pending = True
                self._next_retry = time.monotonic() + self.retry_every
            else:
                logger.error("Event rejected by the register: %s", _short(exc))
                self.spool.reject(line.encode("utf-8"), exc)

    def _try_drain(self) -> None:
        if time.monotonic() < self._next_retry:
            return
        result = self.spool.drain(self._write, is_transient)
        if result.complete and not self.spool.pending():
            if result.written:
                logger.info("Register back: %d spooled events written.", result.written)
            self._pending = False
        else:
            self._next_retry = time.monotonic() + self.retry_every

    def _maintain(self) -> None:
        if self._pending:
            self._try_drain()
            return
        if time.monotonic() < self._next_close:
            return
        self._next_close = time.monotonic() + self.close_every
        try:
            closed = self._ensure_register().close_idle_cases(utc_now(), self.idle_after)
            if closed:
                logger.info("Closed %d idle cases.", len(closed))
        except Exception as exc:
            logger.warning("Could not close idle cases: %s", _short(exc))


def drain_spool(register: Register, spool_dir: str | Path) -> DrainResult:
    """Write spooled events to ``register`` now (operator command; idempotent)."""
    return Spool(spool_dir).drain(register.record_event, is_transient)


def _make_register(url: str | None) -> Register:
    return Register(url)


def _short(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
