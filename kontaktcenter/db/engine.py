"""Engine and session factory, created lazily (never at import time).

SQLAlchemy 1.4 in 2.0 style: ``future=True`` engines and sessions, ``select()``.
Each unit of work opens its own session through :meth:`Database.session`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL and a busy timeout let the Rasa, action and console processes share one file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_db_engine(url: str, **kwargs: object) -> Engine:
    """A future-style engine; SQLite files get their folder created and safe pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, future=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


@contextmanager
def unit_of_work(factory: sessionmaker) -> Iterator[Session]:
    """A session from ``factory``: commit on success, roll back on error, always close."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Database:
    """An engine plus a session factory; cheap to keep, one per database URL."""

    def __init__(self, url: str, **engine_kwargs: object) -> None:
        self.url = url
        self.engine = create_db_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AbstractContextManager[Session]:
        """One unit of work: commit on success, roll back on error, always close."""
        return unit_of_work(self._sessions)

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str | None = None) -> Database:
    """The process-wide :class:`Database` for ``url`` (default: the settings' URL)."""
    if url is None:
        from kontaktcenter.settings import get_settings

        url = get_settings().database_url
    with _lock:
        db = _databases.get(url)
        if db is None:
            db = _databases[url] = Database(url)
        return db
