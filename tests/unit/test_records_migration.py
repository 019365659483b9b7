"""Migration 0002_records: matches the models, chains after 0001, downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import kontaktcenter.db.models  # noqa: F401  (the whole schema)
from kontaktcenter.db import Base, get_database
from kontaktcenter.db.migrate import downgrade, upgrade

RECORD_TABLES = {
    "cases",
    "case_messages",
    "message_originals",
    "case_number_counters",
    "audit_log",
    "disposal_log",
}


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    engine = get_database(url).engine
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    upgrade(url, "0002_records")
    assert set(inspect(engine).get_table_names()) >= RECORD_TABLES
    downgrade(url, "0001_opening_exceptions")
    tables = set(inspect(engine).get_table_names())
    assert not RECORD_TABLES & tables and "opening_exceptions" in tables
    upgrade(url)
    assert set(inspect(engine).get_table_names()) >= RECORD_TABLES
    get_database(url).dispose()
