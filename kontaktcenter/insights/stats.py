"""The team lead's figures over a period, computed from the register's tables.

Definitions (also on the page and in docs/statistics.md):

* samtal: an ärende registered in the period in which the resident wrote at least once;
* containment: samtal with no handover request and no callback message, i.e. finished
  without a kommunvägledare;
* handover rate: samtal with a handover request (joined on diarienummer);
* handovers, queue wait and abandonment: handover requests made in the period; the wait
  is request to take-over for answered ones; abandoned ones ended without being taken
  (the resident left or nobody had time);
* callbacks: messages left in the period, and how many are marked handled;
* fallback rate: resident messages in the period that got ``nlu_fallback`` or an intent
  below the configured confidence (config/insights.yml);
* satisfaction: the widget's "Fick du hjälp?" answers given in the period.

Aggregates only: nothing here reads message text or personal data.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, case, exists, extract, func, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.handover.models import CallbackRecord, HandoverRecord
from kontaktcenter.handover.service import ACTIVE as HANDOVER_ACTIVE
from kontaktcenter.insights.config import InsightsConfig, default_config
from kontaktcenter.insights.period import Period
from kontaktcenter.insights.sources import satisfaction_counts
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.rasa_events import FALLBACK_INTENT
from kontaktcenter.records.text import STOCKHOLM

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def missed_condition(threshold: float) -> ColumnElement:
    """SQL: a resident message the bot did not understand (shared with missed.py)."""
    return or_(
        Message.intent == FALLBACK_INTENT,
        and_(Message.intent_confidence.is_not(None), Message.intent_confidence < threshold),
    )


def without_jit(session: Session, dialect: str) -> None:
    """PostgreSQL's JIT compiler spent 2.6 s compiling the 2.3 s statistics query (bench):
    these queries are short and run once, so JIT never pays off; off for this transaction."""
    if dialect == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def share(part: int, whole: int) -> float | None:
    """``part / whole`` or None when there is nothing to divide."""
    return part / whole if whole else None


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the smallest value with ``fraction`` at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Statistics:
    """Every figure of the "Statistik" page, the CLI and the exports."""

    period: Period
    threshold: float
    conversations: int
    per_day: list[tuple[date, int]]
    per_weekday_hour: list[list[int]]  # 7 rows (Monday first) x 24 hours
    conversations_with_handover: int
    conversations_with_callback: int
    contained: int
    handovers: int
    handovers_answered: int
    handovers_abandoned: int
    handovers_waiting: int
    wait_median_seconds: float | None
    wait_p95_seconds: float | None
    callbacks: int
    callbacks_handled: int
    satisfaction: dict[int, int] | None
    resident_messages: int
    missed_messages: int
    top_intents: list[tuple[str, int]]
    top_missed: list[tuple[str, int]]

    @property
    def containment_rate(self) -> float | None:
        return share(self.contained, self.conversations)

    @property
    def handover_rate(self) -> float | None:
        return share(self.conversations_with_handover, self.conversations)

    @property
    def abandonment_rate(self) -> float | None:
        return share(self.handovers_abandoned, self.handovers_answered + self.handovers_abandoned)

    @property
    def callbacks_handled_rate(self) -> float | None:
        return share(self.callbacks_handled, self.callbacks)

    @property
    def fallback_rate(self) -> float | None:
        return share(self.missed_messages, self.resident_messages)

    @property
    def satisfaction_answers(self) -> int:
        return sum((self.satisfaction or {}).values())

    @property
    def satisfied(self) -> int:
        """Answers 4 or 5."""
        return sum(n for score, n in (self.satisfaction or {}).items() if score >= 4)

    @property
    def satisfied_rate(self) -> float | None:
        return share(self.satisfied, self.satisfaction_answers)

    @property
    def satisfaction_mean(self) -> float | None:
        answers = self.satisfaction_answers
        if not answers:
            return None
        return sum(score * n for score, n in (self.satisfaction or {}).items()) / answers


def compute(
    period: Period,
    db: Database | str | None = None,
    config: InsightsConfig | None = None,
) -> Statistics:
    """All figures for ``period``: a handful of indexed queries, one read-only session."""
    database = db if isinstance(db, Database) else get_database(db)
    cfg = config or default_config()
    start, end = period.start, period.end
    with database.session() as session:
        without_jit(session, database.dialect)
        hour_rows = session.execute(_conversation_query(start, end, database.dialect)).all()
        handover_rows = session.execute(
            select(
                _seconds_between(HandoverRecord.requested_at, HandoverRecord.taken_at,
                                 database.dialect),
                HandoverRecord.status.in_(HANDOVER_ACTIVE),
            )
            .where(HandoverRecord.requested_at >= start, HandoverRecord.requested_at < end)
        ).all()
        callback_total, callback_handled = session.execute(
            select(func.count(), func.count(CallbackRecord.handled_at))
            .where(CallbackRecord.created_at >= start, CallbackRecord.created_at < end)
        ).one()
        missed = missed_condition(cfg.missed_confidence_threshold)
        message_rows = session.execute(
            select(Message.intent, missed.label("missed"), Message.predicted_intent, func.count())
            .where(
                Message.sent_at >= start,
                Message.sent_at < end,
                Message.sender_role == v.ROLE_RESIDENT,
            )
            .group_by(Message.intent, missed, Message.predicted_intent)
        ).all()
        satisfaction = satisfaction_counts(session, start, end)

    per_day: Counter[date] = Counter()
    grid = [[0] * 24 for _ in WEEKDAYS]
    conversations = with_handover = with_callback = needed_person = 0
    for hour, count, had_handover, had_callback, had_either in hour_rows:
        # Stockholm is a whole number of hours from UTC, so a UTC hour is a local hour.
        local = _parse_utc_hour(hour).astimezone(STOCKHOLM)
        per_day[local.date()] += count
        grid[local.weekday()][local.hour] += count
        conversations += count
        with_handover += int(had_handover or 0)
        with_callback += int(had_callback or 0)
        needed_person += int(had_either or 0)
    contained = conversations - needed_person

    waits: list[float] = []
    answered = abandoned = waiting = 0
    for wait, active in handover_rows:
        if wait is not None:
            answered += 1
            waits.append(max(0.0, round(float(wait), 3)))
        elif active:
            waiting += 1
        else:
            abandoned += 1

    intents: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    resident = missed_total = 0
    for intent, was_missed, predicted, count in message_rows:
        resident += count
        if was_missed:
            missed_total += count
            themes[predicted or "okänt"] += count
        elif intent:
            intents[intent] += count

    top = cfg.top_count
    return Statistics(
        period=period,
        threshold=cfg.missed_confidence_threshold,
        conversations=conversations,
        per_day=[(day, per_day.get(day, 0)) for day in period.days],
        per_weekday_hour=grid,
        conversations_with_handover=with_handover,
        conversations_with_callback=with_callback,
        contained=contained,
        handovers=len(handover_rows),
        handovers_answered=answered,
        handovers_abandoned=abandoned,
        handovers_waiting=waiting,
        wait_median_seconds=median(waits),
        wait_p95_seconds=percentile(waits, 0.95),
        callbacks=int(callback_total or 0),
        callbacks_handled=int(callback_handled or 0),
        satisfaction=satisfaction,
        resident_messages=resident,
        missed_messages=missed_total,
        top_intents=_top(intents, top),
        top_missed=_top(themes, top),
    )


def _top(counter: Counter[str], count: int) -> list[tuple[str, int]]:
    """Most common first; equal counts by name, so the order is stable."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:count]


def _utc_hour(column: ColumnElement, dialect: str) -> ColumnElement:
    """The UTC hour of a stored (naive UTC) timestamp as text ``YYYY-MM-DD HH``."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _seconds_between(first: ColumnElement, second: ColumnElement,
                     dialect: str) -> ColumnElement:
    """``second - first`` in seconds, computed by the database (NULL if either is)."""
    if dialect == "postgresql":
        return extract("epoch", second - first)
    return (func.julianday(second) - func.julianday(first)) * 86400.0


def _parse_utc_hour(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)


def _conversation_query(start: datetime, end: datetime, dialect: str):  # type: ignore[no-untyped-def]
    """Per UTC hour: samtal, with a handover, with a callback, with either.

    Aggregated in the database: a month of 50,000 ärenden is ~720 rows, not 50,000
    (turning 50,000 timestamps into Python datetimes alone took over a second).
    """
    wrote = exists().where(
        and_(Message.case_id == Case.id, Message.sender_role == v.ROLE_RESIDENT)
    )
    handover = exists().where(HandoverRecord.diarienummer == Case.diarienummer)
    callback = exists().where(CallbackRecord.diarienummer == Case.diarienummer)
    per_case = (
        select(
            _utc_hour(Case.registered_at, dialect).label("hour"),
            case((handover, 1), else_=0).label("handover"),
            case((callback, 1), else_=0).label("callback"),
        )
        .where(Case.registered_at >= start, Case.registered_at < end, wrote)
        .subquery()
    )
    either = case((per_case.c.handover + per_case.c.callback > 0, 1), else_=0)
    return select(
        per_case.c.hour,
        func.count(),
        func.sum(per_case.c.handover),
        func.sum(per_case.c.callback),
        func.sum(either),
    ).group_by(per_case.c.hour)
