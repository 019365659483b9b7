"""The production configuration for real: PostgreSQL trackers and register, Redis locks.

Runs the whole product (action server + Rasa) against the PostgreSQL and Redis of this
machine. When either is unreachable the test FAILS and says which; it never skips.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.future import create_engine

from tests.e2e.concurrency import assert_concurrent_conversations_registered
from tests.e2e.stack import RasaStack

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]
BASE_URL = os.environ.get("KC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("KC_TEST_REDIS", "127.0.0.1:6379")


def require_redis() -> tuple[str, int]:
    host, port = REDIS.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"Redis på {REDIS} går inte att nå (starta redis-server): {exc}")
    return host, int(port)


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    name = f"kc_prod_{uuid.uuid4().hex[:8]}"
    admin = create_engine(BASE_URL, future=True, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL på {BASE_URL} går inte att nå (starta servern eller sätt "
                    f"KC_TEST_POSTGRES_URL): {exc}")
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module")
def prod_stack(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    redis_host, redis_port = require_redis()
    base = make_url(BASE_URL)
    register_url = str(base.set(database=pg_database)) + "?connect_timeout=5"
    stack = RasaStack(
        tmp_path_factory.mktemp("prod"),
        database_url=register_url,
        endpoints_override={
            "tracker_store": {
                "type": "SQL", "dialect": "postgresql", "url": base.host or "127.0.0.1",
                "port": base.port or 5432, "db": pg_database, "username": base.username or "postgres",
                "login_db": base.database,
            },
            "lock_store": {"type": "redis", "url": redis_host, "port": redis_port, "db": 1,
                           "key_prefix": f"kc_{uuid.uuid4().hex[:6]}"},
        },
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def test_50_conversations_on_postgres_and_redis(prod_stack: RasaStack) -> None:
    assert_concurrent_conversations_registered(prod_stack, 50)


def test_tracker_is_stored_in_postgres(prod_stack: RasaStack, pg_database: str) -> None:
    sender = f"prod-{uuid.uuid4().hex[:8]}"
    prod_stack.say(sender, "var ligger ni?")
    engine = create_engine(str(make_url(BASE_URL).set(database=pg_database)), future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    engine.dispose()
    assert rows and rows >= 3


def test_endpoints_production_file_names_postgres_and_redis() -> None:
    content = (Path(__file__).resolve().parents[2] / "endpoints.production.yml").read_text()
    assert "dialect: postgresql" in content and "type: redis" in content
