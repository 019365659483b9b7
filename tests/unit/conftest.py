"""Fixtures for the unit tests: a fresh migrated SQLite register per test.

A migrated SQLite template is built once per session and copied per test, so every
test gets a fresh database quickly. Event builders live in ``tests.records_events``
(shared with the PostgreSQL tests under ``tests/integration``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.records.register import Register
from tests.records_events import make_register


@pytest.fixture(scope="session", name="records_template")
def records_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records_template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_database(url).dispose()
    return path


def register_copy(records_template: Path, folder: Path) -> Iterator[str]:
    """A fresh register in ``folder``: the URL, disposed of afterwards."""
    path = folder / "kc.db"
    path.parent.mkdir()
    shutil.copy(records_template, path)
    url = f"sqlite:///{path}"
    yield url
    get_database(url).dispose()


@pytest.fixture(name="sqlite_url")
def sqlite_url_fixture(records_template: Path, tmp_path: Path) -> Iterator[str]:
    yield from register_copy(records_template, tmp_path / "db")


@pytest.fixture(name="register")
def register_fixture(sqlite_url: str) -> Register:
    return make_register(sqlite_url)
