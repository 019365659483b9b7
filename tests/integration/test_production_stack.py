"""The production configuration for real: PostgreSQL trackers and register, Redis locks.

Runs the whole product (action server + Rasa) against the PostgreSQL and Redis of this
machine. When either is unreachable the test FAILS and says which; it never skips.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.future import create_engine

from tests.e2e.concurrency import assert_concurrent_conversations_registered
from tests.e2e.stack import ROOT, RasaStack

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


def admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(BASE_URL, future=True, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 5})


@pytest.fixture(scope="module")
def pg_databases() -> Iterator[tuple[str, str]]:
    """(tracker database, register database): fresh ones, dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = (f"kc_tracker_{suffix}", f"kc_register_{suffix}")
    admin = admin_engine()
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL på {BASE_URL} går inte att nå (starta servern eller sätt "
                    f"KC_TEST_POSTGRES_URL): {exc}")
    try:
        yield names
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module")
def pg_database(pg_databases: tuple[str, str]) -> str:
    return pg_databases[0]


REDIS_DB = 11  # a database number of its own, to see our connections in CLIENT LIST


@pytest.fixture(scope="module")
def prod_stack(pg_databases: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    """The product started with endpoints.production.yml itself, values from the env."""
    redis_host, redis_port = require_redis()
    pg_database, register_database = pg_databases
    base = make_url(BASE_URL)
    register_url = str(base.set(database=register_database)) + "?connect_timeout=5"
    workdir = tmp_path_factory.mktemp("prod")
    stack = RasaStack(workdir, database_url=register_url,
                      endpoints_file=ROOT / "endpoints.production.yml")
    stack.extra_env.update(
        KC_ACTION_ENDPOINT_URL=f"http://127.0.0.1:{stack.actions_port}/webhook",
        KC_TRACKER_DB_HOST=base.host or "127.0.0.1",
        KC_TRACKER_DB_PORT=str(base.port or 5432),
        KC_TRACKER_DB_NAME=pg_database,
        KC_TRACKER_DB_USER=base.username or "postgres",
        KC_TRACKER_DB_PASSWORD=base.password or "",
        KC_REDIS_HOST=redis_host,
        KC_REDIS_PORT=str(redis_port),
        KC_REDIS_DB=str(REDIS_DB),
        KC_SPOOL_DIR=str(workdir / "var" / "spool"),
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


def test_locks_are_taken_in_redis(prod_stack: RasaStack) -> None:
    """endpoints.production.yml's lock store is Redis: Rasa's pool connects to our db."""
    import redis

    host, port = require_redis()
    prod_stack.say(f"lock-{uuid.uuid4().hex[:8]}", "hej")
    clients = redis.Redis(host=host, port=port).client_list()
    assert any(int(c.get("db", -1)) == REDIS_DB for c in clients), clients


def set_read_only(database: str, read_only: bool) -> None:
    """Make the register's database refuse writes (or accept them again), at once."""
    admin = admin_engine()
    with admin.connect() as conn:
        flag = "on" if read_only else "off"
        conn.execute(text(f"ALTER DATABASE {database} SET default_transaction_read_only = {flag}"))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": database})
    admin.dispose()


def test_register_database_read_only_mid_conversation(
    prod_stack: RasaStack, pg_databases: tuple[str, str]
) -> None:
    """The chat goes on, events wait in the spool, and the register ends complete, once each."""
    import time

    from kontaktcenter.records import Register
    from tests.e2e.concurrency import wait_for_messages

    register_db = pg_databases[1]
    sender = f"ro-{uuid.uuid4().hex[:8]}"
    spool = prod_stack.workdir / "var" / "spool"
    assert prod_stack.say(sender, "hej")
    set_read_only(register_db, True)
    try:
        during = [prod_stack.say(sender, q) for q in ("var ligger ni?", "vad är HiD?")]
        assert all(r and r[0].get("text") for r in during), "the chat must go on"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(p.stat().st_size for p in spool.glob("*") if p.is_file()):
            time.sleep(0.3)
        assert any(p.stat().st_size for p in spool.glob("*") if p.is_file()), "the spool must fill"
    finally:
        set_read_only(register_db, False)
    assert prod_stack.say(sender, "tack")
    register = Register(prod_stack.env["KC_DATABASE_URL"])
    detail = wait_for_messages(register, sender, 8, seconds=90)  # 4 resident, 4 bot messages
    assert detail is not None
    resident = [m.text for m in detail.messages if m.sender_role == "invånare"]
    assert resident == ["hej", "var ligger ni?", "vad är HiD?", "tack"], resident
    texts = [(m.sender_role, m.text) for m in detail.messages]
    assert len(texts) == len(set(texts)) == 8, texts  # 4 questions, 4 answers (no notice)
