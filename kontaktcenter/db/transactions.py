"""Write transactions that serialise writers, so numbering is safe on SQLite too.

PostgreSQL locks the counter row with ``SELECT … FOR UPDATE``. SQLite has no row
locks; pysqlite also starts its transaction lazily (only before the first INSERT), so a
read of the counter could happen outside any transaction. SQLAlchemy's documented
recipe is to emit ``BEGIN`` ourselves from the engine's ``begin`` event; we emit
``BEGIN IMMEDIATE`` (takes the write lock at once, waits up to ``busy_timeout``) and
only for sessions made here, so other users of the shared engine are unaffected.

SQLite has one writer at a time, and a writer that finds the file locked polls with
growing sleeps (up to 100 ms) until ``busy_timeout``. With many threads of one process
writing at once (the recorder, the console, the action server's threads) the polling
is unfair: a thread can keep missing the moments the lock is free and fail with
"database is locked" although the database was never stuck. So threads of one process
queue for SQLite's write lock on a Python lock first (blocked, not polling); only other
processes are left to ``busy_timeout``. PostgreSQL needs no such queue.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from kontaktcenter.db.engine import Database, unit_of_work

_OPTION = "kc_sqlite_begin"
_hooked: weakref.WeakSet[Engine] = weakref.WeakSet()
_factories: weakref.WeakKeyDictionary[Database, sessionmaker] = weakref.WeakKeyDictionary()
# One queue per SQLite engine; re-entrant so a nested write in one thread fails in
# SQLite as before instead of deadlocking here.
_writers: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_OPTION)
    if mode:
        conn.exec_driver_sql(f"BEGIN {mode}")


def _write_factory(db: Database) -> sessionmaker:
    with _lock:
        factory = _factories.get(db)
        if factory is not None:
            return factory
        engine = db.engine
        if engine.dialect.name == "sqlite":
            if engine not in _hooked:
                event.listen(engine, "begin", _begin)
                _hooked.add(engine)
            _writers.setdefault(engine, threading.RLock())
            bind = engine.execution_options(**{_OPTION: "IMMEDIATE"})
        else:
            bind = engine
        factory = sessionmaker(bind, future=True, expire_on_commit=False)
        _factories[db] = factory
        return factory


@contextmanager
def _queued(writer: threading.RLock, factory: sessionmaker) -> Iterator[Session]:
    with writer, unit_of_work(factory) as session:
        yield session


def write_session(db: Database) -> AbstractContextManager[Session]:
    """One write unit of work that holds the write lock from its first statement."""
    factory = _write_factory(db)
    writer = _writers.get(db.engine)
    if writer is None:
        return unit_of_work(factory)
    return _queued(writer, factory)
