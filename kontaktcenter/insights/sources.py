"""Where the figures that other areas own are read: one small function each.

Satisfaction answers belong to the widget ("Fick du hjälp?", records.satisfaction). On a
database not yet migrated to 0005 the statistics say there are no answers instead of failing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from kontaktcenter.records.models import Satisfaction

SATISFACTION = Satisfaction.__table__

SCORES = (1, 2, 3, 4, 5)


def satisfaction_counts(session: Session, start: datetime, end: datetime) -> dict[int, int] | None:
    """Answers per score 1–5 given in [start, end); None when the table does not exist."""
    if not inspect(session.connection()).has_table(SATISFACTION.name):
        return None
    rows = session.execute(
        select(SATISFACTION.c.score, func.count())
        .where(SATISFACTION.c.created_at >= start, SATISFACTION.c.created_at < end)
        .group_by(SATISFACTION.c.score)
    ).all()
    counts = dict.fromkeys(SCORES, 0)
    for score, count in rows:
        if score in counts:
            counts[int(score)] = int(count)
    return counts
