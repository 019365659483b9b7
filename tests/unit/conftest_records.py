"""Fixtures for the register tests; import them explicitly in test_records*.py.

Import the ``*_fixture`` functions (they register the fixtures ``records_template``,
``sqlite_url`` and ``register`` in the importing module).

A migrated SQLite template is built once per session and copied per test, so every
test gets a fresh database quickly.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.records.register import Register
from tests.records_events import (  # noqa: F401  (re-exported to the tests)
    T0,
    conversation,
    ev,
    make_register,
    run_concurrently,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"


@pytest.fixture(scope="session", name="records_template")
def records_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records_template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_database(url).dispose()
    return path


@pytest.fixture(name="sqlite_url")
def sqlite_url_fixture(records_template: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "db" / "kc.db"
    path.parent.mkdir()
    shutil.copy(records_template, path)
    url = f"sqlite:///{path}"
    yield url
    get_database(url).dispose()


@pytest.fixture(name="register")
def register_fixture(sqlite_url: str) -> Register:
    return make_register(sqlite_url)


