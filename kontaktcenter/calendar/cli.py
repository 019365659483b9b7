"""``kontaktcenter hours``: staff maintain date exceptions and check computed hours.

Subcommands: ``list``, ``add`` (adds or replaces a date), ``remove``, ``show`` and
``week``. Bad input raises ValueError with a Swedish message; the main CLI prints it
as "Fel: …" without a stack trace.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from kontaktcenter.calendar.clock import system_now
from kontaktcenter.calendar.config import parse_time
from kontaktcenter.calendar.exceptions import OpeningException
from kontaktcenter.calendar.factory import CalendarService, build_calendar_service
from kontaktcenter.calendar.format import (
    format_date,
    format_day,
    format_open_now,
    format_range,
    format_week,
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
T = TypeVar("T")


def parse_date(text: str) -> date:
    """``2026-12-24`` as a date; Swedish error message otherwise."""
    text = (text or "").strip()
    if text.lower() == "idag":
        return system_now().date()
    if text.lower() == "imorgon":
        return system_now().date() + timedelta(days=1)
    if not _DATE_RE.match(text):
        raise ValueError(
            f"Ogiltigt datum '{text[:40]}'. Skriv datum som ÅÅÅÅ-MM-DD, till exempel 2026-12-24."
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Datumet {text} finns inte i kalendern.") from None


def _service(args: argparse.Namespace) -> CalendarService:
    from kontaktcenter.settings import get_settings

    return build_calendar_service(args.url or get_settings().database_url)


def _db(action: Callable[[], T]) -> T:
    """Run a database action; turn driver errors into a Swedish message for staff."""
    try:
        return action()
    except SQLAlchemyError:
        raise ValueError(
            "Databasen kunde inte läsas eller skrivas. Kontrollera KC_DATABASE_URL och kör "
            "'kontaktcenter db upgrade' om tabellerna saknas."
        ) from None


def _describe(item: OpeningException) -> str:
    if item.closed:
        return "stängt"
    assert item.opens is not None and item.closes is not None
    return f"öppet {format_range(item.opens, item.closes)}"


def _cmd_list(args: argparse.Namespace) -> int:
    start = parse_date(args.from_date) if args.from_date else system_now().date()
    end = parse_date(args.to_date) if args.to_date else None
    if end is not None and end < start:
        raise ValueError("Slutdatumet (--to) måste vara samma dag som eller efter startdatumet.")
    items = _db(lambda: _service(args).repository.list(start, end))
    if args.json:
        print(json.dumps([
            {
                "date": item.day.isoformat(),
                "closed": item.closed,
                "opens": item.opens.strftime("%H:%M") if item.opens else None,
                "closes": item.closes.strftime("%H:%M") if item.closes else None,
                "note": item.note,
            }
            for item in items
        ], ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("Inga avvikande öppettider är registrerade för perioden.")
        return 0
    for item in items:
        note = f"  {item.note}" if item.note else ""
        print(f"{item.day.isoformat()}  {format_date(item.day):<22} {_describe(item)}{note}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    if args.closed and (args.opens or args.closes):
        raise ValueError("Ange antingen --closed eller --opens och --closes, inte båda.")
    if not args.closed and not (args.opens and args.closes):
        raise ValueError("Ange --closed, eller både --opens och --closes (t.ex. 10.00 och 15.00).")
    opens: time | None = None if args.closed else parse_time(args.opens, "öppningstiden")
    closes: time | None = None if args.closed else parse_time(args.closes, "stängningstiden")
    service = _service(args)
    item, replaced = _db(lambda: service.repository.put(
        day, closed=args.closed, opens=opens, closes=closes, note=args.note
    ))
    verb = "Ersatt" if replaced else "Sparat"
    print(f"{verb}: {format_date(day)} {day.year}: {_describe(item)}.")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    day = parse_date(args.date)
    if not _db(lambda: _service(args).repository.remove(day)):
        raise ValueError(f"Det finns ingen avvikelse registrerad för {day.isoformat()}.")
    print(f"Borttaget: avvikelsen för {format_date(day)} {day.year}.")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    calendar = _service(args).calendar
    channel = args.channel
    if args.date:
        day = parse_date(args.date)
        print(_db(lambda: format_day(calendar.hours_on(day, channel), calendar.today())))
        return 0
    status = _db(lambda: calendar.status(channel=channel))
    print(format_open_now(status))
    print(format_day(status.today, status.at.date()))
    return 0


def _cmd_week(args: argparse.Namespace) -> int:
    calendar = _service(args).calendar
    start = parse_date(args.date) if args.date else None
    days = _db(lambda: calendar.week(start, args.channel))
    print(format_week(days, calendar.today()))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hours`` and its subcommands to the main ``kontaktcenter`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")

    hours = subparsers.add_parser("hours", help="öppettider och avvikande dagar")
    sub = hours.add_subparsers(dest="hours_command", required=True)

    listing = sub.add_parser("list", parents=[common], help="visa registrerade avvikelser")
    listing.add_argument("--from", dest="from_date", help="från datum ÅÅÅÅ-MM-DD (standard: idag)")
    listing.add_argument("--to", dest="to_date", help="till och med datum ÅÅÅÅ-MM-DD")
    listing.add_argument("--json", action="store_true", help="skriv ut som JSON")
    listing.set_defaults(func=_cmd_list)

    add = sub.add_parser("add", parents=[common], help="lägg till eller ersätt en avvikelse")
    add.add_argument("date", help="datum ÅÅÅÅ-MM-DD (eller idag, imorgon)")
    add.add_argument("--closed", action="store_true", help="stängt hela dagen")
    add.add_argument("--opens", help="öppnar, TT.MM")
    add.add_argument("--closes", help="stänger, TT.MM")
    add.add_argument("--note", help="notering som visas för invånare (högst 300 tecken)")
    add.set_defaults(func=_cmd_add)

    remove = sub.add_parser("remove", parents=[common], help="ta bort avvikelsen för ett datum")
    remove.add_argument("date", help="datum ÅÅÅÅ-MM-DD (eller idag, imorgon)")
    remove.set_defaults(func=_cmd_remove)

    for name, func, text in (
        ("show", _cmd_show, "visa öppettider för ett datum (standard: just nu)"),
        ("week", _cmd_week, "visa sju dagar från ett datum (standard: idag)"),
    ):
        parser = sub.add_parser(name, parents=[common], help=text)
        parser.add_argument("date", nargs="?", help="datum ÅÅÅÅ-MM-DD (eller idag, imorgon)")
        parser.add_argument("--channel", choices=("phone", "visit", "chat"),
                            help="kanal (standard: gemensamma tider)")
        parser.set_defaults(func=func)
