"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 200

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("kontaktcenter-dummy-password")


def check_password_strength(password: str) -> None:
    """Raise ValueError (Swedish) for a password too weak to protect case data."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValueError(f"Lösenordet måste vara minst {MIN_LENGTH} tecken långt.")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"Lösenordet får vara högst {MAX_LENGTH} tecken långt.")
    if password.strip() != password or not password.strip():
        raise ValueError("Lösenordet får inte börja eller sluta med mellanslag.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or broken hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
