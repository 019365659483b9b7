"""Staff accounts: add, list, disable, authenticate with lockout, login sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from kontaktcenter.clock import now_utc
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.staff.models import StaffAccount, StaffSession
from kontaktcenter.staff.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)

ROLE_AGENT = "kommunvägledare"
ROLE_REGISTRAR = "registrator"
ROLE_TEAM_LEAD = "teamledare"  # takes chats like a kommunvägledare and sees the team
ROLES = (ROLE_AGENT, ROLE_REGISTRAR, ROLE_TEAM_LEAD)
# Who may see the statistics page (aggregates about colleagues' work).
STATISTICS_ROLES = (ROLE_TEAM_LEAD, ROLE_REGISTRAR)

# Failures (from any addresses) before the account itself is locked. Guessing from one
# address is slowed long before this by staff.throttle; a low number here let anyone
# lock a colleague out with 5 tries. NIST SP 800-63B allows at most 100.
MAX_FAILURES = 100
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=10)
DEFAULT_IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is written at most this often: the console polls every second.
SEEN_RESOLUTION = timedelta(seconds=30)

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
FAILED_LOGIN = "Fel användarnamn eller lösenord."
# Said for a locked account too, and only after the password was checked like any other:
# a distinct message told strangers which accounts exist.
LOCKED = FAILED_LOGIN


def _utc_now() -> datetime:
    return now_utc()


@dataclass(frozen=True)
class Account:
    """What the console needs to know about a logged-in person (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    disabled: bool
    locked_until: datetime | None = None

    @property
    def first_name(self) -> str:
        """The name residents see on the agent's messages."""
        return self.display_name.split()[0] if self.display_name.split() else self.username

    @property
    def sees_statistics(self) -> bool:
        return self.role in STATISTICS_ROLES


@dataclass(frozen=True)
class AuthResult:
    account: Account | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.account is not None


def normalise_username(value: str) -> str:
    name = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    if not _USERNAME_RE.match(name):
        raise ValueError(
            "Användarnamnet ska vara 2–50 tecken: små bokstäver a–z, siffror, punkt, "
            "bindestreck eller understreck."
        )
    return name


def clean_display_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", str(value or "")).split())
    if not name or len(name) > 100:
        raise ValueError("Ange ett namn (högst 100 tecken).")
    if any(not (ch.isalpha() or ch in " -'.") for ch in name):
        raise ValueError("Namnet får bara innehålla bokstäver, mellanslag, bindestreck och punkt.")
    return name


def _to_account(row: StaffAccount) -> Account:
    return Account(
        row.id, row.username, row.display_name, row.role, bool(row.disabled), row.locked_until
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffDirectory:
    """Accounts and sessions in one database; every method is one unit of work."""

    def __init__(
        self,
        db: Database | str | None = None,
        now: Callable[[], datetime] = _utc_now,
        *,
        idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self._now = now
        self.idle_timeout = idle_timeout

    # -- accounts ---------------------------------------------------------------------

    def add(self, username: str, display_name: str, role: str, password: str) -> Account:
        name = normalise_username(username)
        shown = clean_display_name(display_name)
        if role not in ROLES:
            raise ValueError(f"Okänd roll {str(role)[:40]!r}. Välj en av: {', '.join(ROLES)}.")
        check_password_strength(password)
        row = StaffAccount(
            username=name,
            display_name=shown,
            role=role,
            password_hash=hash_password(password),
            disabled=False,
            failed_attempts=0,
            created_at=self._now(),
        )
        try:
            with self.db.session() as session:
                if session.execute(
                    select(StaffAccount.id).where(StaffAccount.username == name)
                ).first():
                    raise ValueError(f"Användarnamnet {name} finns redan.")
                session.add(row)
                session.flush()
                return _to_account(row)
        except IntegrityError:
            raise ValueError(f"Användarnamnet {name} finns redan.") from None

    def list(self) -> list[Account]:
        with self.db.session() as session:
            rows = session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()
            return [_to_account(r) for r in rows]

    def get(self, username: str) -> Account | None:
        try:
            name = normalise_username(username)
        except ValueError:
            return None
        with self.db.session() as session:
            row = self._row(session, name)
            return _to_account(row) if row else None

    def set_disabled(self, username: str, disabled: bool = True) -> Account:
        """Disable (or enable again) an account; a disabled account loses its sessions."""
        name = normalise_username(username)
        with self.db.session() as session:
            row = self._row(session, name)
            if row is None:
                raise ValueError(f"Det finns inget konto {name}.")
            row.disabled = disabled
            if disabled:
                session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))
            else:
                row.failed_attempts, row.locked_until = 0, None
            return _to_account(row)

    def disable(self, username: str) -> Account:
        return self.set_disabled(username, True)

    def authenticate(self, username: str, password: str) -> AuthResult:
        """Check a login; counts failures and locks the account after MAX_FAILURES."""
        now = self._now()
        try:
            name = normalise_username(username)
        except ValueError:
            verify_password(None, str(password or ""))  # same cost as a real check
            return AuthResult(None, FAILED_LOGIN)
        password = str(password or "")[:1000]
        with self.db.session() as session:
            row = self._row(session, name)
            if row is None:
                verify_password(None, password)
                return AuthResult(None, FAILED_LOGIN)
            if row.locked_until is not None and row.locked_until > now:
                verify_password(None, password)  # same cost as a real check
                return AuthResult(None, LOCKED)
            if not verify_password(row.password_hash, password):
                row.failed_attempts = (row.failed_attempts or 0) + 1
                if row.failed_attempts >= MAX_FAILURES:
                    row.locked_until = now + LOCKOUT
                    row.failed_attempts = 0
                    return AuthResult(None, LOCKED)
                return AuthResult(None, FAILED_LOGIN)
            if row.disabled:
                return AuthResult(None, FAILED_LOGIN)
            row.failed_attempts, row.locked_until, row.last_login_at = 0, None, now
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            return AuthResult(_to_account(row))

    # -- sessions ---------------------------------------------------------------------

    def create_session(self, account: Account) -> tuple[str, str]:
        """A new login session: (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._now()
        with self.db.session() as session:
            session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
            session.add(
                StaffSession(
                    token_hash=_hash_token(token),
                    account_id=account.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                    last_seen_at=now,
                )
            )
        return token, csrf

    def session_account(self, token: str | None) -> tuple[Account, str] | None:
        """(account, CSRF token) of a live session of an enabled account, else None.

        A session ends after ``SESSION_LIFETIME`` or when idle for ``idle_timeout`` (a
        desk left logged in); each request counts as activity.
        """
        if not token or len(token) > 200:
            return None
        now = self._now()
        with self.db.session() as session:
            row = session.get(StaffSession, _hash_token(token))
            if row is None or row.expires_at <= now:
                return None
            seen = row.last_seen_at or row.created_at
            if seen + self.idle_timeout <= now:
                session.delete(row)
                return None
            if now - seen >= SEEN_RESOLUTION:
                row.last_seen_at = now
            account = session.get(StaffAccount, row.account_id)
            if account is None or account.disabled:
                return None
            return _to_account(account), row.csrf_token

    def end_session(self, token: str | None) -> None:
        if not token:
            return
        with self.db.session() as session:
            session.execute(
                delete(StaffSession).where(StaffSession.token_hash == _hash_token(token))
            )

    @staticmethod
    def _row(session, name: str) -> StaffAccount | None:  # type: ignore[no-untyped-def]
        return session.execute(
            select(StaffAccount).where(StaffAccount.username == name)
        ).scalar_one_or_none()
