"""``kontaktcenter staff add|list|disable``: manage console accounts from the shell."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from kontaktcenter.staff.accounts import ROLES, StaffDirectory


def _directory(args: argparse.Namespace) -> StaffDirectory:
    return StaffDirectory(args.url or None)


def _read_password(args: argparse.Namespace) -> str:
    """From KC_STAFF_PASSWORD (scripts, tests) or asked twice without echo."""
    if os.environ.get("KC_STAFF_PASSWORD"):
        return os.environ["KC_STAFF_PASSWORD"]
    if not sys.stdin.isatty():
        raise ValueError("Ange lösenordet i KC_STAFF_PASSWORD eller kör kommandot interaktivt.")
    first = getpass.getpass("Lösenord: ")
    if first != getpass.getpass("Lösenord igen: "):
        raise ValueError("Lösenorden är inte lika.")
    return first


def _add(args: argparse.Namespace) -> int:
    account = _directory(args).add(args.username, args.name, args.role, _read_password(args))
    print(f"Kontot {account.username} ({account.display_name}, {account.role}) är skapat.")
    return 0


def _list(args: argparse.Namespace) -> int:
    accounts = _directory(args).list()
    if not accounts:
        print("Det finns inga konton.")
    for a in accounts:
        state = "avstängt" if a.disabled else "aktivt"
        print(f"{a.username}\t{a.display_name}\t{a.role}\t{state}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    account = _directory(args).disable(args.username)
    print(f"Kontot {account.username} är avstängt och utloggat.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="konton för personalkonsolen")
    staff.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")
    cmds = staff.add_subparsers(dest="staff_command", required=True)
    add = cmds.add_parser("add", help="skapa ett konto (lösenord frågas efter)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="för- och efternamn; förnamnet visas i chatten")
    add.add_argument("--role", choices=ROLES, default=ROLES[0])
    add.set_defaults(func=_add)
    cmds.add_parser("list", help="lista konton").set_defaults(func=_list)
    disable = cmds.add_parser("disable", help="stäng av ett konto")
    disable.add_argument("username")
    disable.set_defaults(func=_disable)
