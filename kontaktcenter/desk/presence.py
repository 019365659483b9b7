"""Presence and routing: who can take a chat now.

Each kommunvägledare is tillgänglig, upptagen or borta (set in the console, stored).
Presence follows the login: an agent without a live console session (logged out, the
session expired or idle longer than KC_CONSOLE_IDLE_MINUTES) counts as borta whatever
is stored; logging out stores borta, and a login with no other live session starts as
borta (:meth:`Routing.logged_in`), so nobody becomes tillgänglig without choosing it. An
agent can take another chat when tillgänglig, the account is usable (not disabled or
locked) and fewer chats than the configured limit are with them. The handover queue
asks :meth:`Routing.available` inside its own unit of work, so a resident is queued only
when someone can take the chat, and a chat is transferred only to such a colleague.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, String, func, or_, select
from sqlalchemy.orm import Session

from kontaktcenter.clock import now_utc
from kontaktcenter.db.base import Base
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.handover.models import HandoverRecord
from kontaktcenter.records.models import UTCDateTime
from kontaktcenter.records.states import State
from kontaktcenter.settings import Settings
from kontaktcenter.staff.models import StaffAccount, StaffSession

AVAILABLE = "available"
BUSY = "busy"
AWAY = "away"
LABELS = {AVAILABLE: "tillgänglig", BUSY: "upptagen", AWAY: "borta"}
# Roles that take chats; a role missing here (registrator) never gets one.
CHAT_ROLES = ("kommunvägledare", "teamledare")
DEFAULT_MAX_CHATS = 3
MAX_CHATS_VARIABLE = "KC_DESK_MAX_CHATS"


class AgentPresenceRow(Base):
    __tablename__ = "agent_presence"

    username = Column(String(100), primary_key=True)
    status = Column(String(20), nullable=False)
    changed_at = Column(UTCDateTime(), nullable=False)


def parse_status(value: str) -> str:
    """A status code from a code or its Swedish word; a Swedish ValueError otherwise."""
    text = str(value or "").strip().lower()
    for code, word in LABELS.items():
        if text in (code, word):
            return code
    raise ValueError("Välj tillgänglig, upptagen eller borta.")


@dataclass(frozen=True)
class AgentLoad:
    """One agent as routing and the team lead see them."""

    username: str
    display_name: str
    status: str  # a code; agents who never set one, or are not logged in, are borta
    open_chats: int
    max_chats: int

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def can_take(self) -> bool:
        return self.status == AVAILABLE and self.open_chats < self.max_chats


def max_chats_from_env(env: Mapping[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(MAX_CHATS_VARIABLE) or ""
    if not raw:
        return DEFAULT_MAX_CHATS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_CHATS_VARIABLE} ska vara ett heltal, inte {raw!r}.") from None
    if not 1 <= value <= 50:
        raise ValueError(f"{MAX_CHATS_VARIABLE} ska vara mellan 1 och 50.")
    return value


class Routing:
    """Presence of the agents and who may get a chat; every method is one unit of work,
    except :meth:`loads_in`, which joins the caller's."""

    def __init__(self, db: Database | str | None = None, *, max_chats: int | None = None,
                 idle_timeout: timedelta | None = None) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self.max_chats = max_chats if max_chats is not None else max_chats_from_env()
        # The console's own idle limit: a session idle this long is over (staff.accounts).
        self.idle_timeout = idle_timeout or timedelta(
            minutes=Settings.from_env().console_idle_minutes)

    def logged_in(self, username: str) -> None:
        """A new login: borta unless another live session of the agent keeps its status."""
        now = now_utc()
        with write_session(self.db) as session:
            live = self._live_sessions(session, now).get(username, 0)
            row = session.get(AgentPresenceRow, username)
            if live <= 1 and row is not None and row.status != AWAY:
                row.status, row.changed_at = AWAY, now

    def logged_out(self, username: str) -> None:
        """Logging out makes the agent borta (the next login starts there too)."""
        self.set_status(username, AWAY)

    def set_status(self, username: str, status: str) -> str:
        code = parse_status(status)
        with write_session(self.db) as session:
            row = session.get(AgentPresenceRow, username)
            if row is None:
                session.add(AgentPresenceRow(username=username, status=code,
                                             changed_at=now_utc()))
            elif row.status != code:
                row.status, row.changed_at = code, now_utc()
        return code

    def status_of(self, username: str) -> str:
        """The status others see: the stored one while the agent is logged in, else borta."""
        now = now_utc()
        with self.db.session() as session:
            row = session.get(AgentPresenceRow, username)
            if row is None or not self._live_sessions(session, now).get(username):
                return AWAY
            return str(row.status)

    def _live_sessions(self, session: Session, now: datetime) -> dict[str, int]:
        """Username -> number of live console sessions (not expired, not idle too long)."""
        idle_since = now - self.idle_timeout
        rows = session.execute(
            select(StaffAccount.username, func.count())
            .join(StaffSession, StaffSession.account_id == StaffAccount.id)
            .where(StaffSession.expires_at > now,
                   or_(StaffSession.last_seen_at > idle_since,
                       (StaffSession.last_seen_at.is_(None))
                       & (StaffSession.created_at > idle_since)))
            .group_by(StaffAccount.username)
        ).all()
        return {str(name): int(count) for name, count in rows}

    def loads(self) -> list[AgentLoad]:
        with self.db.session() as session:
            return self.loads_in(session, now_utc())

    def available(self, exclude: str | None = None) -> list[AgentLoad]:
        """Agents who can take one more chat now (not ``exclude``)."""
        return [a for a in self.loads() if a.can_take and a.username != exclude]

    def loads_in(self, session: Session, now: datetime) -> list[AgentLoad]:
        """Every usable chat agent with status and open chats, by name."""
        chats = dict(session.execute(
            select(HandoverRecord.agent_username, func.count())
            .where(HandoverRecord.status == State.WITH_AGENT.value)
            .group_by(HandoverRecord.agent_username)
        ).all())
        live = self._live_sessions(session, now)
        statuses = {
            name: status for name, status in session.execute(
                select(AgentPresenceRow.username, AgentPresenceRow.status)
            ).all() if live.get(name)
        }
        accounts = session.execute(
            select(StaffAccount).where(StaffAccount.role.in_(CHAT_ROLES),
                                       StaffAccount.disabled.is_(False))
            .order_by(StaffAccount.display_name, StaffAccount.username)
        ).scalars()
        return [
            AgentLoad(a.username, a.display_name, statuses.get(a.username, AWAY),
                      int(chats.get(a.username, 0)), self.max_chats)
            for a in accounts if a.locked_until is None or a.locked_until <= now
        ]

    def anyone_available_in(self, session: Session, now: datetime) -> bool:
        return any(a.can_take for a in self.loads_in(session, now))
