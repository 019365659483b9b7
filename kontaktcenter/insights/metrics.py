"""Prometheus metrics read from the register at scrape time (docs/metrics.md).

The web process is not the Rasa process, so it cannot count events as they happen.
On the first scrape the counters start from SQL totals of what the register holds;
after that the collector reads only rows added since its last scrape (by primary key,
cheap) and keeps running totals. The reply-latency histogram needs message pairs, so
it counts replies registered after the web process started, like any in-process
histogram (Prometheus ``rate()`` handles restarts). Gauges (queue, spool) are read
fresh on every scrape. Plain Python; the HTTP endpoint is kontaktcenter.web.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kontaktcenter import clock
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.handover.models import HandoverRecord
from kontaktcenter.handover.service import QUEUED
from kontaktcenter.insights.config import InsightsConfig, default_config
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.models import Message
from kontaktcenter.records.rasa_events import FALLBACK_INTENT
from kontaktcenter.records.spool import Spool

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
# A resident message unanswered this long is no longer waiting for a bot reply.
PENDING_LIMIT = timedelta(hours=1)
BATCH = 20_000
SENDERS = {v.ROLE_RESIDENT: "resident", v.ROLE_BOT: "bot", v.ROLE_STAFF: "staff"}


class RegisterCollector(Collector):
    """Running totals over ``case_messages`` and ``handovers``, gauges on each scrape."""

    def __init__(self, db: Database | str | None, spool_dir: Path | str,
                 config: InsightsConfig | None = None,
                 now: Callable[[], datetime] = clock.now_utc) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self.spool_dir = Path(spool_dir)
        self.config = config or default_config()
        self._now = now
        self._lock = threading.Lock()
        self._last_message: int | None = None  # None: not initialised yet
        self._last_handover = 0
        self.messages: Counter[tuple[str, str]] = Counter()  # (direction, sender)
        self.intents: Counter[str] = Counter()
        self.fallbacks = 0
        self.low_confidence = 0
        self.handovers = 0
        self._pending: dict[int, datetime] = {}  # case id -> unanswered resident message
        self._buckets = [0] * len(LATENCY_BUCKETS)
        self._latency_count = 0
        self._latency_sum = 0.0

    # -- reading the register ----------------------------------------------------------

    def refresh(self) -> None:
        """Add every message and handover written since the last call."""
        with self._lock, self.db.session() as session:
            if self._last_message is None:
                self._initialise(session)
            while True:
                rows = session.execute(
                    select(Message.id, Message.case_id, Message.sender_role, Message.sent_at,
                           Message.intent, Message.intent_confidence)
                    .where(Message.id > (self._last_message or 0))
                    .order_by(Message.id)
                    .limit(BATCH)
                ).all()
                for row in rows:
                    self._add_message(*row)
                if len(rows) < BATCH:
                    break
            new_handovers, last = session.execute(
                select(func.count(), func.max(HandoverRecord.id))
                .where(HandoverRecord.id > self._last_handover)
            ).one()
            if new_handovers:
                self.handovers += int(new_handovers)
                self._last_handover = int(last)

    def _initialise(self, session: Session) -> None:
        """Totals of everything already in the register, aggregated by the database."""
        low = case(
            (Message.intent_confidence < self.config.missed_confidence_threshold, 1), else_=0
        )
        last = session.execute(select(func.max(Message.id))).scalar()
        rows = session.execute(
            select(Message.sender_role, Message.intent, low, func.count())
            .where(Message.id <= (last or 0))
            .group_by(Message.sender_role, Message.intent, low)
        ).all()
        for role, intent, is_low, count in rows:
            self._count(role, intent, bool(is_low), int(count))
        self._last_message = int(last or 0)
        self._last_handover, self.handovers = (int(x or 0) for x in session.execute(
            select(func.max(HandoverRecord.id), func.count())
        ).one())

    def _count(self, role: str, intent: str | None, low: bool, count: int = 1) -> None:
        sender = SENDERS.get(role, "other")
        self.messages["in" if role == v.ROLE_RESIDENT else "out", sender] += count
        if role != v.ROLE_RESIDENT:
            return
        if intent == FALLBACK_INTENT:
            self.fallbacks += count
        elif intent:
            self.intents[intent] += count
            if low:
                self.low_confidence += count

    def _add_message(self, message_id: int, case_id: int, role: str, sent_at: datetime,
                     intent: str | None, confidence: float | None) -> None:
        self._last_message = max(self._last_message or 0, message_id)
        low = confidence is not None and confidence < self.config.missed_confidence_threshold
        self._count(role, intent, low)
        if role == v.ROLE_RESIDENT:
            self._pending.setdefault(case_id, sent_at)
            if len(self._pending) > 10_000:
                self._prune(sent_at)
            return
        asked = self._pending.pop(case_id, None)
        if asked is not None and sent_at - asked <= PENDING_LIMIT:
            self._observe(max(0.0, (sent_at - asked).total_seconds()))

    def _prune(self, newest: datetime) -> None:
        limit = newest - PENDING_LIMIT
        self._pending = {k: t for k, t in self._pending.items() if t >= limit}

    def _observe(self, seconds: float) -> None:
        self._latency_count += 1
        self._latency_sum += seconds
        for i, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                self._buckets[i] += 1

    # -- prometheus ----------------------------------------------------------------------

    def collect(self) -> Iterator[Metric]:
        self.refresh()
        now = self._now()
        with self.db.session() as session:
            queued, oldest = session.execute(
                select(func.count(), func.min(HandoverRecord.queued_at))
                .where(HandoverRecord.status == QUEUED)
            ).one()
        spool = Spool(self.spool_dir)
        oldest_spooled = spool.oldest_pending_timestamp()

        messages = CounterMetricFamily(
            "kc_messages", "Chat messages in the register, by direction and sender.",
            labels=["direction", "sender"])
        for (direction, sender), n in sorted(self.messages.items()):
            messages.add_metric([direction, sender], n)
        yield messages
        replies = CounterMetricFamily(
            "kc_replies_by_intent", "Resident messages answered, by the intent NLU chose.",
            labels=["intent"])
        for intent, n in sorted(self.intents.items()):
            replies.add_metric([intent], n)
        yield replies
        yield CounterMetricFamily("kc_fallbacks", "Resident messages that got nlu_fallback.",
                                  value=self.fallbacks)
        yield CounterMetricFamily(
            "kc_low_confidence",
            "Resident messages answered with an intent below the missed-question threshold.",
            value=self.low_confidence)
        yield CounterMetricFamily("kc_handovers", "Requests for a kommunvägledare.",
                                  value=self.handovers)
        yield GaugeMetricFamily("kc_queue_length", "Ärenden waiting for a kommunvägledare now.",
                                value=int(queued or 0))
        wait = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily("kc_queue_longest_wait_seconds",
                                "How long the longest-waiting ärende has waited.", value=wait)
        yield GaugeMetricFamily("kc_spool_events",
                                "Events in the register's spool, not yet in the database.",
                                value=spool.count())
        age = max(0.0, now.timestamp() - oldest_spooled) if oldest_spooled else 0.0
        yield GaugeMetricFamily("kc_spool_oldest_age_seconds",
                                "Age of the oldest spooled event (0 when empty).", value=age)
        buckets = []
        for bound, cumulative in zip(LATENCY_BUCKETS, self._buckets, strict=True):
            buckets.append((_le(bound), cumulative))
        buckets.append(("+Inf", self._latency_count))
        yield HistogramMetricFamily(
            "kc_reply_latency_seconds",
            "Time from a resident's message to the next bot or staff message in the ärende.",
            buckets=buckets, sum_value=self._latency_sum)


def _le(bound: float) -> str:
    return str(bound)


def build_registry(db: Database | str | None, spool_dir: Path | str,
                   config: InsightsConfig | None = None) -> CollectorRegistry:
    """A registry with only our collector (no process metrics of the web server)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RegisterCollector(db, spool_dir, config))
    return registry
