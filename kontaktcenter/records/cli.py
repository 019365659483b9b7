"""``kontaktcenter records …``: list, show, search, export, dispose and audit.

Output is Swedish for staff; ``--json`` gives stable English-keyed JSON for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from kontaktcenter.records.audit import list_audit
from kontaktcenter.records.disposal import disposal_log
from kontaktcenter.records.info import CaseDetail, CaseInfo
from kontaktcenter.records.register import AccessDenied, CaseNotFound, Register
from kontaktcenter.records.text import count_cases, local_text, parse_day, utc_now
from kontaktcenter.records.vocabulary import channel_label, normalise_diarienummer

_ROLE_LABELS = {
    "invånare": "Invånare",
    "chattbot": "Chattbot",
    "kommunvägledare": "Kommunvägledare",
}


def _guard(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Database trouble is an operator message, not a stack trace."""

    @wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            print(
                "Fel: registrets databas kunde inte användas. Kontrollera KC_DATABASE_URL "
                f"och kör 'kontaktcenter db upgrade'. ({detail})",
                file=sys.stderr,
            )
            return 4

    return run


def _register(args: argparse.Namespace) -> Register:
    return Register(args.url)  # None: KC_DATABASE_URL or the SQLite file under var/


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _case_line(case: CaseInfo) -> str:
    return (
        f"{case.diarienummer}  {local_text(case.registered_at)}  {case.status_label:<24} "
        f"{case.message_count:>3} medd.  {case.subject}"
    )


def _print_cases(cases: list[CaseInfo], as_json: bool) -> int:
    if as_json:
        _print_json([c.to_dict() for c in cases])
        return 0
    if not cases:
        print("Inga ärenden hittades.")
        return 0
    print(f"{count_cases(len(cases))} (nyast först):")
    for case in cases:
        print(_case_line(case))
    return 0


@_guard
def _list(args: argparse.Namespace) -> int:
    cases = _register(args).list_cases(
        date_from=parse_day(args.date_from, "från-datum") if args.date_from else None,
        date_to=parse_day(args.date_to, "till-datum") if args.date_to else None,
        status=args.status,
        text=args.text,
        limit=args.limit,
    )
    return _print_cases(cases, args.json)


@_guard
def _search(args: argparse.Namespace) -> int:
    return _print_cases(_register(args).search(args.query, limit=args.limit), args.json)


def _print_detail(detail: CaseDetail) -> None:
    case = detail.case
    rows = [
        ("Diarienummer", case.diarienummer),
        ("Inkom", local_text(case.registered_at)),
        ("Kanal", channel_label(case.channel)),
        ("Avsändare", case.sender),
        ("Ärendemening", case.subject),
        ("Status", case.status_label),
        ("Handläggare", case.handled_by or "–"),
        ("Avslutad", local_text(case.closed_at) or "–"),
        ("Gallringskategori", case.retention_category),
    ]
    for label, value in rows:
        print(f"{label + ':':<19}{value}")
    if detail.originals:
        print("OBS: ORIGINALTEXT utan maskering. Läsningen är loggad. Lämna inte ut.")
    print()
    if not detail.messages:
        print("Inga meddelanden.")
    for m in detail.messages:
        who = _ROLE_LABELS.get(m.sender_role, m.sender_role)
        if m.sender_name:
            who = f"{who} {m.sender_name}"
        print(f"[{m.seq}] {local_text(m.sent_at)} {who}:")
        for line in m.text.splitlines() or [""]:
            print(f"    {line}")


@_guard
def _show(args: argparse.Namespace) -> int:
    register = _register(args)
    number = normalise_diarienummer(args.diarienummer)
    try:
        if args.original:
            if not (args.user and args.role and args.reason):
                raise ValueError("--original kräver --user, --role och --reason.")
            detail = register.read_original(number, args.user, args.role, args.reason)
        else:
            found = register.get_case(number)
            if found is None:
                raise CaseNotFound(number)
            detail = found
    except CaseNotFound as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except AccessDenied as exc:
        print(f"Nekad: {exc}", file=sys.stderr)
        return 3
    if args.json:
        _print_json(detail.to_dict())
    else:
        _print_detail(detail)
    return 0


@_guard
def _export(args: argparse.Namespace) -> int:
    try:
        document = _register(args).export_case(
            args.diarienummer,
            args.format,
            requested_by=args.requested_by or "",
            released_by=args.released_by or "",
        )
    except CaseNotFound as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.output:
        path = Path(args.output)
        try:
            path.write_text(document, encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"Kan inte skriva {path}: {exc.strerror or exc}") from exc
        print(f"Kopian av {normalise_diarienummer(args.diarienummer)} är sparad i {path}.")
    else:
        sys.stdout.write(document)
    return 0


@_guard
def _dispose(args: argparse.Namespace) -> int:
    report = _register(args).dispose(utc_now(), dry_run=args.dry_run, performed_by=args.by)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report.summary())
    return 0


@_guard
def _audit(args: argparse.Namespace) -> int:
    register = _register(args)
    number = normalise_diarienummer(args.diarienummer) if args.diarienummer else None
    entries = list_audit(register.db, diarienummer=number, limit=args.limit)
    disposed = disposal_log(register, limit=args.limit) if args.disposals else []
    if args.json:
        data: dict[str, object] = {"audit": [e.to_dict() for e in entries]}
        if args.disposals:
            data["disposals"] = [d.to_dict() for d in disposed]
        _print_json(data)
        return 0
    if not entries:
        print("Granskningsloggen är tom.")
    for e in entries:
        role = f" ({e.role})" if e.role else ""
        print(
            f"{local_text(e.at)}  {e.actor}{role}  {e.action}  "
            f"{e.diarienummer or '–'}  skäl: {e.reason or '–'}"
        )
    if args.disposals:
        print()
        print("Gallringslogg:" if disposed else "Gallringsloggen är tom.")
        for d in disposed:
            print(
                f"{local_text(d.disposed_at)}  {d.diarienummer}  {d.action}  "
                f"{d.category}  beslut: {d.decision}  av: {d.performed_by}"
            )
    return 0


@_guard
def _drain(args: argparse.Namespace) -> int:
    from kontaktcenter.records.recorder import drain_spool
    from kontaktcenter.settings import get_settings

    spool_dir = Path(args.spool_dir) if args.spool_dir else get_settings().var_dir / "spool"
    if not spool_dir.is_dir():
        print(f"Ingen spool att tömma ({spool_dir} finns inte).")
        return 0
    result = drain_spool(_register(args), spool_dir)
    print(f"{result.written} händelser skrevs till registret, {result.rejected} avvisades.")
    if result.rejected:
        print(f"Avvisade händelser finns i {spool_dir / 'rejected.jsonl'}.")
    if not result.complete:
        print(f"Databasen svarar inte: resten ligger kvar i spoolen ({result.stopped_by}).")
        return 4
    return 0


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("antalet måste vara ett heltal") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("antalet måste vara mellan 1 och 10000")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``records`` and its subcommands to the top-level parser."""
    records = sub.add_parser("records", help="ärenden (allmänna handlingar) i registret")
    records.add_argument("--url", help="SQLAlchemy-URL (standard: KC_DATABASE_URL)")
    cmd = records.add_subparsers(dest="records_command", required=True)

    p = cmd.add_parser("list", help="lista ärenden")
    p.add_argument("--from", dest="date_from", metavar="DATUM", help="registrerade från ÅÅÅÅ-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATUM", help="registrerade till ÅÅÅÅ-MM-DD")
    p.add_argument("--status", help="t.ex. öppen, avslutad, gallrad")
    p.add_argument("--text", help="söktext (diarienummer, ärendemening, meddelanden)")
    p.add_argument("--limit", type=_limit, default=100, help="högst så många (standard 100)")
    p.add_argument("--json", action="store_true", help="JSON för skript")
    p.set_defaults(func=_list)

    p = cmd.add_parser("show", help="visa ett ärende med meddelanden (maskerade)")
    p.add_argument("diarienummer")
    p.add_argument("--json", action="store_true", help="JSON för skript")
    p.add_argument("--original", action="store_true", help="visa originaltext (behörig roll)")
    p.add_argument("--user", help="vem som läser originalet")
    p.add_argument("--role", help="roll, t.ex. registrator eller arkivarie")
    p.add_argument("--reason", help="skäl till läsningen (loggas)")
    p.set_defaults(func=_show)

    p = cmd.add_parser("search", help="sök i ärenden (maskerad text)")
    p.add_argument("query", metavar="TEXT")
    p.add_argument("--limit", type=_limit, default=100, help="högst så många (standard 100)")
    p.add_argument("--json", action="store_true", help="JSON för skript")
    p.set_defaults(func=_search)

    p = cmd.add_parser("export", help="skriv en kopia för utlämnande (maskerad)")
    p.add_argument("diarienummer")
    p.add_argument("--format", choices=["html", "json"], default="html")
    p.add_argument("--output", metavar="FIL", help="fil att skriva till (standard: skärmen)")
    p.add_argument("--requested-by", help="vem som begärt kopian (får vara anonym)")
    p.add_argument("--released-by", help="vem som lämnar ut (standard: inloggad användare)")
    p.set_defaults(func=_export)

    p = cmd.add_parser("dispose", help="gallra enligt config/retention.yml")
    p.add_argument("--dry-run", action="store_true", help="visa bara vad som skulle gallras")
    p.add_argument("--by", default="system", help="vem som gallrar (loggas)")
    p.add_argument("--json", action="store_true", help="JSON för skript")
    p.set_defaults(func=_dispose)

    p = cmd.add_parser("drain", help="skriv händelser från spoolen (var/spool) till registret")
    p.add_argument("--spool-dir", help="spoolens katalog (standard: KC_VAR_DIR/spool)")
    p.set_defaults(func=_drain)

    p = cmd.add_parser("audit", help="visa granskningsloggen (läsningar och utlämnanden)")
    p.add_argument("--diarienummer", help="bara detta ärende")
    p.add_argument("--disposals", action="store_true", help="visa även gallringsloggen")
    p.add_argument("--limit", type=_limit, default=200, help="högst så många (standard 200)")
    p.add_argument("--json", action="store_true", help="JSON för skript")
    p.set_defaults(func=_audit)
