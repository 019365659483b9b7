"""Password hashing with argon2id (argon2-cffi's recommended parameters) and strength rules.

Strength follows NIST SP 800-63B 5.1.1.2: a minimum length, no composition rules, but
refuse passwords that are commonly used (common_passwords.txt), repetitive
("aaaaaaaaaaaa", "abcabcabcabc") or sequential ("123456789012", "abcdefghijkl").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 4  # "aaaaaaaaaaaa", "abababababab", "aabbaabbaabb"
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyzåäö", "0123456789", "qwertyuiopå", "asdfghjklöä",
              "zxcvbnm")

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
    if is_common(password):
        raise ValueError("Lösenordet är för vanligt och lätt att gissa. Välj ett annat.")
    if is_repetitive(password):
        raise ValueError(
            "Lösenordet är för enkelt (upprepade tecken eller en teckenföljd). Välj ett annat."
        )


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    """The password, or its core without digits and symbols at the ends, is on the list."""
    folded = password.casefold()
    core = folded.strip("0123456789!?.,-_#@$%&*+=/ ")
    common = common_passwords()
    return folded in common or (len(core) >= 4 and core in common)


def is_repetitive(password: str) -> bool:
    """Few distinct characters, one short unit repeated, or a run along a sequence."""
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT:
        return True
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            return True
    return any(_along(folded, seq) or _along(folded, seq[::-1]) for seq in _SEQUENCES)


def _along(text: str, sequence: str) -> bool:
    """The whole text steps through ``sequence`` (wrapping around), like "345678901234"."""
    if text[0] not in sequence:
        return False
    start = sequence.index(text[0])
    return all(
        ch == sequence[(start + i) % len(sequence)] for i, ch in enumerate(text)
    )


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
