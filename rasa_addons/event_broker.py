"""Rasa event broker that records every conversation in the public-record register.

endpoints.yml::

    event_broker:
      type: rasa_addons.event_broker.RecordsEventBroker
      url: ${KC_DATABASE_URL}     # optional; default KC_DATABASE_URL / var/kontaktcenter.db
      spool_dir: var/spool        # optional; default <KC_VAR_DIR>/spool
      idle_minutes: 60            # optional; default: domain.yml session_expiration_time
      close_interval_seconds: 60  # how often to look for idle cases
      retry_seconds: 5            # how often to retry the database while spooling
      reconcile_hours: 24         # start-up reconciliation window (< shortest retention)
      queue_size: 10000           # events kept in memory while the spool is not writable

Rasa calls ``publish`` synchronously inside its event loop for every new event, so
``publish`` hands the event to :class:`kontaktcenter.records.recorder.Recorder`, which
makes it durable in the spool (fsynced) before returning, never touches the database
and never raises. Creating the broker also installs
:class:`rasa_addons.processor.ResilientProcessor`, which refuses messages while the
register is not durable and starts the reconciliation with the SQL tracker store;
:class:`rasa_addons.tracker_store.ThreadedSQLTrackerStore`, which saves off the event
loop and hands a turn's events to :meth:`publish_many` at once; and the shortcuts in
:mod:`rasa_addons.speedups` (docs/performance.md).
"""
from __future__ import annotations

import asyncio
import logging
from asyncio import AbstractEventLoop
from datetime import timedelta
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from kontaktcenter.records.recorder import Recorder, RecorderStatus
from kontaktcenter.records.session_length import session_minutes
from rasa_addons import processor, speedups, tracker_store

logger = logging.getLogger(__name__)


def _positive(value: Any, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"event_broker.{name} must be a number, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"event_broker.{name} must be greater than 0, got {value!r}")
    return number


class RecordsEventBroker(EventBroker):
    """Writes user, bot and session events to the register via a background worker."""

    def __init__(
        self,
        url: str | None = None,
        spool_dir: str | Path | None = None,
        idle_minutes: float | None = None,
        close_interval_seconds: float | None = None,
        retry_seconds: float | None = None,
        queue_size: int | None = None,
        reconcile_hours: float | None = None,
        **_: Any,
    ) -> None:
        if spool_dir is None:
            from kontaktcenter.settings import get_settings

            spool_dir = get_settings().var_dir / "spool"
        self.recorder = Recorder(
            url or None,
            spool_dir,
            idle_after=timedelta(
                minutes=_positive(idle_minutes, "idle_minutes", session_minutes())
            ),
            close_every=_positive(close_interval_seconds, "close_interval_seconds", 60),
            retry_every=_positive(retry_seconds, "retry_seconds", 5),
            max_queue=int(_positive(queue_size, "queue_size", 10_000)),
        ).start()
        self.reconcile_window = timedelta(hours=_positive(reconcile_hours, "reconcile_hours", 24))
        processor.install()
        tracker_store.install()
        speedups.install()
        logger.info("Records event broker started (spool: %s).", spool_dir)

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig | None,
        event_loop: AbstractEventLoop | None = None,
    ) -> RecordsEventBroker | None:
        if broker_config is None:
            return None
        return cls(url=broker_config.url, **broker_config.kwargs)

    def publish(self, event: dict[str, Any]) -> None:
        """Make the event durable (spool); never waits for the database, never raises."""
        try:
            self.recorder.submit(event)
        except Exception:  # a register problem must never break the resident's chat
            logger.exception("Could not hand the event to the register.")

    def publish_many(self, events: list[dict[str, Any]]) -> None:
        """A turn's events durable at once (one fsync); never waits for the database."""
        try:
            self.recorder.submit_many(events)
        except Exception:  # a register problem must never break the resident's chat
            logger.exception("Could not hand the events to the register.")

    def is_ready(self) -> bool:
        return self.recorder.alive

    def accepting(self) -> bool:
        """False while accepted events could not be kept: new messages are refused."""
        return self.recorder.durable

    def status(self) -> RecorderStatus:
        return self.recorder.status()

    def reconcile_with(self, tracker_url: str) -> None:
        """Register what Rasa's SQL tracker store holds and the register lacks."""
        self.recorder.reconcile_with(tracker_url, self.reconcile_window)

    async def close(self) -> None:
        """Write what waits (the spool keeps whatever the database cannot take yet)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.recorder.stop, 10.0)
