"""Migration 0003: the handover and staff tables match the models, and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import kontaktcenter.db.models  # noqa: F401  (the whole schema)
from kontaktcenter.db import Base, get_database
from kontaktcenter.db.migrate import downgrade, upgrade

TABLES = {"staff_accounts", "staff_sessions", "handovers", "callbacks"}


def test_upgrade_matches_models_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kc.db'}"
    upgrade(url)
    engine = get_database(url).engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == "0007_desk"
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(url, "0002_records")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    get_database(url).dispose()
