"""The ``kontaktcenter`` command for staff and operators.

Each area registers its own subcommands (``hours``, ``records``, ``staff``, ``db``)
so this module stays a thin dispatcher.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kontaktcenter.settings import get_settings

PRIVATE_UMASK = 0o077


def _db_upgrade(args: argparse.Namespace) -> int:
    from kontaktcenter.db.migrate import upgrade

    url = args.url or get_settings().database_url
    upgrade(url)
    print("Databasen är uppdaterad till senaste schemat.")
    return 0


def _register_db(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="databasens schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="kör Alembic-migreringar till senaste version")
    up.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")
    up.set_defaults(func=_db_upgrade)


def build_parser() -> argparse.ArgumentParser:
    from kontaktcenter.calendar import cli as hours_cli
    from kontaktcenter.insights import cli as insights_cli
    from kontaktcenter.records import cli as records_cli
    from kontaktcenter.staff import cli as staff_cli

    parser = argparse.ArgumentParser(
        prog="kontaktcenter",
        description="Verktyg för Helsingborg kontaktcenters chattassistent.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _register_db(sub)
    hours_cli.register(sub)
    records_cli.register(sub)
    staff_cli.register(sub)
    insights_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # What the commands create (the register database by "db upgrade", exports) holds
    # residents' personal data: owner only, as the servers do (issue 11).
    previous = os.umask(PRIVATE_UMASK)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:  # bad input from the operator: say so in Swedish, no trace
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    finally:
        os.umask(previous)


if __name__ == "__main__":
    sys.exit(main())
