"""Tables of the staff console: accounts and server-side login sessions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String

from kontaktcenter.db.base import Base
from kontaktcenter.records.models import UTCDateTime


class StaffAccount(Base):
    """A person who may log in to the console; ``display_name`` is shown to residents."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(100), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False)
    role = Column(String(50), nullable=False)
    password_hash = Column(String(255), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    failed_attempts = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime(), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False)
    last_login_at = Column(UTCDateTime(), nullable=True)


class StaffSession(Base):
    """A login session; only a hash of the cookie value is stored, so a leak is harmless."""

    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    account_id = Column(
        Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    expires_at = Column(UTCDateTime(), nullable=False, index=True)
    # The last request seen; a session idle longer than the configured limit ends.
    last_seen_at = Column(UTCDateTime(), nullable=True)
