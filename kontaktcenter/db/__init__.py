"""Database access: one engine per URL, one session per unit of work."""

from kontaktcenter.db.base import Base
from kontaktcenter.db.engine import Database, get_database

__all__ = ["Base", "Database", "get_database"]
