"""Recording of chat events: durable first, then into the register in the background.

Rasa calls its event broker's ``publish`` synchronously inside its event loop, once per
new event, before the resident gets the reply. :meth:`Recorder.submit` therefore makes
the event durable at once (an fsynced line in the spool, well under a millisecond) and
returns; a worker thread writes the spool to the register in order and idempotently,
so a slow or locked database never reaches the resident and a crash loses nothing.

When even the spool cannot be written (disk full, I/O error) the event is kept in memory
for the worker to write straight to the database, the recorder reports that it is not
durable (:attr:`Recorder.durable`, :meth:`Recorder.status`) and logs it loudly until the
spool works again; the Rasa glue refuses new messages meanwhile. At start the worker
reconciles the register with Rasa's tracker store (:mod:`kontaktcenter.records.reconcile`)
and it closes cases that went quiet. Plain Python; the Rasa glue is
``rasa_addons.event_broker``.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc

from kontaktcenter import clock
from kontaktcenter.records.reconcile import DEFAULT_WINDOW, reconcile_with_tracker_store
from kontaktcenter.records.register import Register
from kontaktcenter.records.spool import DrainResult, Spool

logger = logging.getLogger(__name__)

LOUD_EVERY = 30.0  # seconds between repeated alarms while nothing is durable


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


@dataclass(frozen=True)
class RecorderStatus:
    """A snapshot for health checks and metrics."""

    durable: bool  # every accepted event is on disk (spool or register)
    alive: bool  # the worker thread runs
    spool_pending: int  # events in the spool the register has not got yet
    in_memory: int  # events only in memory (spool failed): lost on a crash
    spooled_total: int
    spool_failures_total: int
    lost_total: int  # events dropped (memory limit reached while not durable)
    reconciled_total: int
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Recorder:
    """Owns the spool, the worker thread and the register for one Rasa process."""

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
        gather: float = 0.05,
        register_factory: Callable[[str | None], Register] | None = None,
    ) -> None:
        """``max_queue`` bounds the events kept in memory while the spool cannot be written;
        ``gather`` is how long a woken worker waits for more events before it writes."""
        self.url = url
        self.spool = Spool(spool_dir)
        self.idle_after = idle_after
        self.close_every = close_every
        self.retry_every = retry_every
        self.max_in_memory = max_queue
        self.tick = tick
        self.gather = gather
        self._factory = register_factory or _make_register
        self._register: Register | None = None
        self._lock = threading.Lock()
        self._unspooled: collections.deque[str] = collections.deque()
        self._spool_broken = False
        self._last_error: str | None = None
        self._next_alarm = 0.0
        self._counts = collections.Counter[str]()
        self._pending = self.spool.pending()
        self._pending_logged = False  # "database away" said once per outage
        self._next_retry = 0.0
        self._next_close = time.monotonic() + close_every
        self._reconcile: tuple[str, timedelta] | None = None
        self._submitted = 0
        self._handled = 0
        self._progress = threading.Condition()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kc-records", daemon=True)
        self._started = False
        self._stopped = False

    # -- called from Rasa's event loop: durable before returning, never raises --------

    def submit(self, event: Mapping[str, Any]) -> bool:
        """Make ``event`` durable in the spool; False when it is only in memory."""
        return self.submit_many([event])

    def submit_many(self, events: Sequence[Mapping[str, Any]]) -> bool:
        """Make ``events`` durable in the spool with one fsync, in order, all or none.

        False when they are only in memory (the spool failed) or one could not be
        serialised (that one is skipped and logged)."""
        lines: list[str] = []
        complete = True
        for event in events:
            try:
                lines.append(json.dumps(event, ensure_ascii=False, default=str))
            except Exception:
                logger.exception("Event could not be serialised for the register; skipped.")
                complete = False
        if not lines:
            return complete
        durable = False
        with self._lock:
            if not self._unspooled:  # never overtake events that missed the spool
                try:
                    self.spool.append_many(lines)
                    self._counts["spooled"] += len(lines)
                    self._spool_broken = False
                    durable = True
                except Exception as exc:
                    self._spool_failed(exc)
            if not durable:
                for line in lines:
                    self._keep_in_memory(line)
            self._submitted += len(lines)
        self._wake.set()
        return durable and complete

    def _spool_failed(self, exc: BaseException) -> None:
        self._counts["spool_failures"] += 1
        self._last_error = f"spool: {_short(exc)}"
        if not self._spool_broken:
            self._spool_broken = True
            self._next_alarm = 0.0
        self._alarm()

    def _keep_in_memory(self, line: str) -> None:
        if len(self._unspooled) >= self.max_in_memory:
            self._counts["lost"] += 1
            logger.critical("REGISTER: event lost, memory limit reached: %s", line[:200])
            return
        self._unspooled.append(line)

    def _alarm(self) -> None:
        """Log loudly, at most every LOUD_EVERY seconds, while events are not durable."""
        if time.monotonic() < self._next_alarm:
            return
        self._next_alarm = time.monotonic() + LOUD_EVERY
        logger.critical(
            "REGISTER NOT DURABLE: events cannot be written to the spool (%s); "
            "%d only in memory. New conversations are refused until this is fixed.",
            self._last_error,
            len(self._unspooled),
        )

    # -- state ----------------------------------------------------------------------

    @property
    def durable(self) -> bool:
        """True while every accepted event is on disk and the spool takes new ones."""
        with self._lock:
            return not self._spool_broken and not self._unspooled

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def backlog(self) -> bool:
        """True while the spool holds events the database has not got yet."""
        return self._pending or bool(self._unspooled)

    def status(self) -> RecorderStatus:
        with self._lock:
            in_memory = len(self._unspooled)
            broken = self._spool_broken
        try:
            pending = self.spool.count()
        except OSError:
            pending = -1
        return RecorderStatus(
            durable=not broken and not in_memory,
            alive=self.alive,
            spool_pending=pending,
            in_memory=in_memory,
            spooled_total=self._counts["spooled"],
            spool_failures_total=self._counts["spool_failures"],
            lost_total=self._counts["lost"],
            reconciled_total=self._counts["reconciled"],
            last_error=self._last_error,
        )

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> Recorder:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def reconcile_with(self, tracker_url: str, window: timedelta = DEFAULT_WINDOW) -> None:
        """Ask the worker to reconcile with Rasa's SQL tracker store (after the spool)."""
        self._reconcile = (tracker_url, window)
        self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the worker has handled everything submitted so far once.

        Handled means written to the register, or found the database away and left
        in the spool (see :attr:`backlog`).
        """
        target = self._submitted
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._progress:
            while self._handled < target or self._reconcile is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.alive:
                    return False
                self._progress.wait(min(remaining, self.tick))
        return True

    def wait_drained(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted is in the register and the spool is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            remaining = max(0.0, deadline - time.monotonic())
            if self.wait_idle(remaining) and not self.backlog:
                return True
            self._wake.set()
            with self._progress:
                self._progress.wait(min(0.05, self.tick))
        return False

    def stop(self, timeout: float = 10.0) -> None:
        """Try once more to write what is waiting, then stop; the spool keeps the rest."""
        if self._stopped:
            return
        self._stopped = True
        self._wake.set()
        if self._started and self._thread.is_alive():
            self._thread.join(timeout)
        with self._lock:
            self._spool_memory()
            if self._unspooled:
                logger.critical(
                    "REGISTER: %d events could not be kept at shutdown (spool not writable); "
                    "they are in Rasa's tracker store and are reconciled at the next start.",
                    len(self._unspooled),
                )

    # -- worker ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            if self._wake.wait(self.tick) and not self._stopped and self.gather > 0:
                # Let the next turns' events join this pass: one transaction for
                # several turns (the register is not what a resident waits for).
                time.sleep(self.gather)
            self._wake.clear()
            stopping = self._stopped  # read first: this pass covers all submitted before
            target = self._submitted
            try:
                self._work()
            except Exception:
                logger.exception("Register worker error (continuing).")
            with self._progress:
                self._handled = max(self._handled, target)
                self._progress.notify_all()
            if stopping:
                return

    def _work(self) -> None:
        self._write_spool()
        self._write_memory()
        if not self._pending and self._reconcile is not None:
            self._run_reconciliation()
        if self._spool_broken and not self._unspooled:
            self._probe_spool()
        if not self.durable:
            with self._lock:
                self._alarm()
        if not self._pending and not self._unspooled:
            self._close_idle()

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

    def _write_many(self, events: list[dict[str, Any]]) -> None:
        self._ensure_register().record_events(events)

    def _retry_later(self, exc: BaseException | None) -> None:
        if exc is not None and not self._pending_logged:
            logger.warning("Register unavailable (%s); events wait in the spool.", _short(exc))
            self._pending_logged = True
        self._next_retry = time.monotonic() + self.retry_every

    def _write_spool(self) -> None:
        """Drain the spool into the register (stops at the first transient error)."""
        if not self.spool.pending():
            self._pending = False
            return
        self._pending = True
        if time.monotonic() < self._next_retry:
            return
        result = self.spool.drain(self._write, is_transient, self._write_many)
        if result.complete and not self.spool.pending():
            if self._pending_logged:
                logger.info("Register back: spooled events written.")
            self._pending = False
            self._pending_logged = False
        elif not result.complete:
            self._retry_later(result.stopped_by)

    def _write_memory(self) -> None:
        """Events that missed the spool: straight into the register, else into the spool."""
        if self._pending or not self._unspooled:
            return
        while True:
            with self._lock:
                if not self._unspooled:
                    return
                line = self._unspooled[0]
            try:
                self._write(json.loads(line))
            except Exception as exc:
                if is_transient(exc):
                    with self._lock:
                        self._spool_memory()
                    self._retry_later(exc)
                    return
                logger.error("Event rejected by the register: %s", _short(exc))
                self._reject(line, exc)
            with self._lock:
                if self._unspooled and self._unspooled[0] is line:
                    self._unspooled.popleft()

    def _reject(self, line: str, exc: BaseException) -> None:
        try:
            self.spool.reject(line.encode("utf-8"), exc)
        except OSError:
            logger.critical("REGISTER: rejected event could not be set aside: %s", line[:200])

    def _spool_memory(self) -> None:
        """Move in-memory events to the spool, oldest first, while it takes them."""
        while self._unspooled:
            try:
                self.spool.append(self._unspooled[0])
            except Exception as exc:
                self._spool_failed(exc)
                return
            self._unspooled.popleft()
            self._spool_broken = False
            self._pending = True

    def _probe_spool(self) -> None:
        if self.spool.writable():
            with self._lock:
                self._spool_broken = False
            logger.warning("REGISTER durable again: the spool can be written.")

    def _run_reconciliation(self) -> None:
        assert self._reconcile is not None
        tracker_url, window = self._reconcile
        if time.monotonic() < self._next_retry:
            return
        try:
            # Rasa stamps tracker events with the real clock whatever KC_NOW says, so the
            # window is measured on that clock, not on the product's.
            tracker_now = datetime.fromtimestamp(clock.rasa_timestamp(), timezone.utc)
            result = reconcile_with_tracker_store(
                self._ensure_register(), tracker_url, tracker_now, window, self._write
            )
        except Exception as exc:
            if not is_transient(exc):
                logger.exception("Reconciliation with the tracker store failed; not retried.")
                self._reconcile = None
                return
            self._retry_later(exc)
            return
        self._reconcile = None
        self._counts["reconciled"] += result.written
        if result.written:
            logger.warning(
                "Reconciliation: %d events were in the tracker store but not in the register; "
                "written now.",
                result.written,
            )
        else:
            logger.info("Reconciliation: the register holds all %d tracker events.", result.scanned)

    def _close_idle(self) -> None:
        if time.monotonic() < self._next_close:
            return
        self._next_close = time.monotonic() + self.close_every
        try:
            closed = self._ensure_register().close_idle_cases(clock.now_utc(), self.idle_after)
            if closed:
                logger.info("Closed %d idle cases.", len(closed))
        except Exception as exc:
            logger.warning("Could not close idle cases: %s", _short(exc))


def drain_spool(register: Register, spool_dir: str | Path) -> DrainResult:
    """Write spooled events to ``register`` now (operator command; idempotent)."""
    return Spool(spool_dir).drain(register.record_event, is_transient, register.record_events)


def _make_register(url: str | None) -> Register:
    return Register(url)


def _short(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
