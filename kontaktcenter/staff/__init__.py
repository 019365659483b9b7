"""Staff accounts of the console: kommunvägledare and registratorer.

Plain Python. Passwords are hashed with argon2 (argon2-cffi); repeated failed logins
lock an account for a while; disabled accounts can neither log in nor keep a session.
"""

from kontaktcenter.staff.accounts import (
    ROLES,
    Account,
    AuthResult,
    StaffDirectory,
)

__all__ = ["ROLES", "Account", "AuthResult", "StaffDirectory"]
