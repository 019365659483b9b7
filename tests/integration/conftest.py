"""PostgreSQL fixtures: a schema of its own per test, dropped afterwards.

The server comes from KC_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
When it cannot be reached the test FAILS with a clear message; it never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.future import create_engine

from kontaktcenter.db import get_database

BASE_URL = os.environ.get("KC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture()
def pg_schema() -> Iterator[tuple[str, str]]:
    """(url, schema): the URL's search_path points at a fresh schema."""
    try:
        import psycopg2  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"psycopg2 saknas i miljön; PostgreSQL-testerna kan inte köras: {exc}")
    schema = f"test_records_{uuid.uuid4().hex[:10]}"
    admin = create_engine(BASE_URL, future=True, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL på {BASE_URL} går inte att nå (starta servern eller sätt "
            f"KC_TEST_POSTGRES_URL): {exc}"
        )
    separator = "&" if "?" in BASE_URL else "?"
    url = f"{BASE_URL}{separator}connect_timeout=5&options=-csearch_path%3D{schema}"
    try:
        yield url, schema
    finally:
        get_database(url).dispose()
        with admin.begin() as connection:
            # Also the name used while a test pretends the database is away.
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema}_off CASCADE"))
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture()
def admin_engine():  # type: ignore[no-untyped-def]
    engine = create_engine(BASE_URL, future=True, connect_args={"connect_timeout": 5})
    yield engine
    engine.dispose()
