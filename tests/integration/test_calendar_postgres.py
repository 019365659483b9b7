"""Exceptions on PostgreSQL (the production database): migrations, constraint, repository.

Needs the server at KC_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
Fails, never skips, when it is unreachable. Runs in a schema of its own (``pg_schema`` in
conftest.py), dropped afterwards.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kontaktcenter.calendar import (
    STOCKHOLM,
    DayKind,
    build_calendar_service,
    load_hours_config,
)
from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade

pytestmark = pytest.mark.postgres

CONFIG = load_hours_config(Path(__file__).resolve().parents[2] / "config" / "opening_hours.yml")


@pytest.fixture()
def pg_url(pg_schema: tuple[str, str]) -> str:
    return pg_schema[0]


def test_exceptions_on_postgres(pg_url: str) -> None:
    upgrade(pg_url)

    def clock() -> datetime:
        return datetime(2026, 11, 27, 17, 30, tzinfo=STOCKHOLM)

    service = build_calendar_service(pg_url, config=CONFIG, now=clock, ttl_seconds=60)
    service.repository.put(date(2026, 12, 25), opens=time(10), closes=time(14), note="Akut.")
    service.repository.put(date(2026, 12, 1), closed=True)
    juldagen = service.calendar.hours_on(date(2026, 12, 25))
    assert juldagen.kind is DayKind.EXCEPTION and (juldagen.opens, juldagen.closes) == (
        time(10), time(14)
    )
    assert service.calendar.hours_on(date(2026, 12, 1)).is_closed
    assert [item.day for item in service.repository.list()] == [
        date(2026, 12, 1), date(2026, 12, 25)
    ]
    with pytest.raises(ValueError, match="finns redan"):
        service.repository.add(date(2026, 12, 1), closed=True)
    with pytest.raises(IntegrityError), get_database(pg_url).session() as session:
        session.execute(text(
            "INSERT INTO opening_exceptions (day, closed, opens, closes, note, created_at, "
            "updated_at) VALUES ('2026-12-08', false, '15:00', '09:00', '', now(), now())"
        ))
    assert service.repository.remove(date(2026, 12, 25)) is True
    assert service.calendar.hours_on(date(2026, 12, 25)).kind is DayKind.RED_DAY
