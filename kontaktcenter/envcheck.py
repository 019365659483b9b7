"""Check the environment against the documented template before anything starts.

``deploy/kontaktcenter.env.example`` is the one list of variables: each has a meaning,
a default and a ``# typ: … · krävs: …`` line that this module reads, so the template
and the check cannot drift apart. Every ``${VAR}`` in the chosen endpoints file is
required too (Rasa stops with an unhelpful message when one is missing). The operator
gets one Swedish line per missing or wrong variable, naming it.

    python -m kontaktcenter.envcheck [--endpoints FILE] [--template FILE]
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kontaktcenter.client_address import parse_trusted_proxies

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "kontaktcenter.env.example"
DEFAULT_ENDPOINTS = "endpoints.yml"
_SPEC = re.compile(r"^#\s*typ:\s*(?P<kind>[\w-]+)\s*·\s*krävs:\s*(?P<required>\w+)\s*$")
_ASSIGN = re.compile(r"^(?P<commented>#)?\s*(?P<name>KC_[A-Z0-9_]+)=(?P<default>.*)$")
_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9-]{1,63})*$"
)
MIN_SECRET = 16


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str
    required: str  # alltid | produktion | nej
    default: str | None  # None: not set by default
    meaning: str


def read_template(path: Path = TEMPLATE) -> dict[str, Variable]:
    """The variables the template documents, in order."""
    variables: dict[str, Variable] = {}
    comments: list[str] = []
    spec: re.Match[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        assign = _ASSIGN.match(line)
        if assign and spec is not None:
            name = assign["name"]
            default = None if assign["commented"] else assign["default"].strip()
            variables[name] = Variable(
                name, spec["kind"], spec["required"], default or None, " ".join(comments)
            )
        if (match := _SPEC.match(line)) is not None:
            spec = match
            continue
        if line.startswith("#") and not assign and not line.startswith("# ---"):
            comments.append(line.lstrip("# ").strip())
            continue
        comments, spec = [], None
    return variables


def endpoint_references(path: Path) -> list[str]:
    """Names used as ``${NAME}`` in an endpoints file (comments ignored), in order."""
    names: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split("#", 1)[0]
        names += [m["name"] for m in _REFERENCE.finditer(code) if m["name"] not in names]
    return names


def _port(value: str) -> str | None:
    return None if value.isdigit() and 1 <= int(value) <= 65535 else "ett portnummer 1–65535"


def _int(value: str) -> str | None:
    return None if value.isdigit() else "ett heltal (0 eller större)"


def _number(value: str) -> str | None:
    try:
        return None if float(value) > 0 else "ett tal större än 0"
    except ValueError:
        return "ett tal större än 0"


def _http_url(value: str) -> str | None:
    parts = urlsplit(value)
    ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    return None if ok else "en adress som börjar med http:// eller https://"


def _db_url(value: str) -> str | None:
    scheme = urlsplit(value).scheme.split("+")[0]
    if scheme not in ("sqlite", "postgresql"):
        return "en databas-URL (postgresql://… eller sqlite:///…)"
    return None


def _host(value: str) -> str | None:
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        return None if _HOSTNAME.match(value) else "ett värdnamn eller en IP-adress"


def _secret(value: str) -> str | None:
    return None if len(value) >= MIN_SECRET else f"minst {MIN_SECRET} tecken"


def _bool(value: str) -> str | None:
    ok = value.lower() in ("1", "0", "true", "false", "ja", "nej", "yes", "no")
    return None if ok else "1 eller 0"


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        return "en tidszon, t.ex. Europe/Stockholm"


def _datetime(value: str) -> str | None:
    try:
        datetime.fromisoformat(value)
        return None
    except ValueError:
        return "en tidpunkt i ISO 8601, t.ex. 2026-12-24T10:00"


def _networks(value: str) -> str | None:
    try:
        parse_trusted_proxies(value)
        return None
    except ValueError:
        return "IP-adresser eller CIDR-nät åtskilda med komma (inte 0.0.0.0/0)"


def _path(value: str) -> str | None:
    return None if value else "en sökväg"


def _nonempty(value: str) -> str | None:
    return None if value else "ett värde"


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "port": _port,
    "int": _int,
    "number": _number,
    "http-url": _http_url,
    "db-url": _db_url,
    "host": _host,
    "secret": _secret,
    "bool": _bool,
    "datetime": _datetime,
    "path": _path,
    "password": _nonempty,
    "timezone": _timezone,
    "file": _path,
    "dir": _path,
    "ip-list": _networks,
}


def _problem(variable: Variable, value: str, root: Path) -> str | None:
    check = _CHECKS.get(variable.kind)
    expected = check(value) if check else None
    if expected is None and variable.kind == "file" and not (root / value).is_file():
        expected = "en fil som finns (relativt projektkatalogen)"
    if expected is None and variable.kind == "dir":
        directory = root / value
        if directory.exists() and not (directory.is_dir() and os.access(directory, os.W_OK)):
            expected = "en katalog som tjänsten kan skriva i"
    return expected


def check(
    env: Mapping[str, str],
    *,
    template: Path = TEMPLATE,
    root: Path = ROOT,
    endpoints: str | None = None,
) -> tuple[list[str], list[str]]:
    """(problems, warnings) as Swedish lines; no problems means start."""
    variables = read_template(template)
    endpoints = endpoints or env.get("KC_ENDPOINTS") or DEFAULT_ENDPOINTS
    production = Path(endpoints).name != DEFAULT_ENDPOINTS
    problems: list[str] = []
    warnings: list[str] = []
    endpoints_path = root / endpoints
    referenced: list[str] = []
    reported: set[str] = set()
    if not endpoints_path.is_file():
        problems.append(f"KC_ENDPOINTS: filen {endpoints} finns inte.")
        reported.add("KC_ENDPOINTS")
    else:
        referenced = endpoint_references(endpoints_path)
    for name in referenced:
        if name not in variables:
            problems.append(
                f"{name}: används i {endpoints} men saknas i {template.name} (dokumentera den)."
            )
    for variable in variables.values():
        if variable.name in reported:
            continue
        value = env.get(variable.name, "").strip()
        needed = (
            variable.required == "alltid"
            or (variable.required == "produktion" and production)
            or variable.name in referenced
        )
        if not value:
            if needed:
                where = f" (används i {endpoints})" if variable.name in referenced else ""
                problems.append(f"{variable.name} saknas{where}: {variable.meaning}")
            continue
        expected = _problem(variable, value, root)
        if expected:
            shown = "…" if variable.kind in ("secret", "password") else repr(value)
            problems.append(f"{variable.name} har fel värde {shown}: {expected} väntas.")
    for name in sorted(env):
        if name.startswith("KC_") and name not in variables and name not in referenced:
            warnings.append(f"{name} är satt men okänd (stavfel?); den används inte.")
    return problems, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kontrollera miljövariablerna före start.")
    parser.add_argument("--endpoints", help="endpoints-fil (standard: KC_ENDPOINTS)")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    problems, warnings = check(
        os.environ, template=args.template, root=args.root, endpoints=args.endpoints
    )
    for line in warnings:
        print(f"Varning: {line}", file=sys.stderr)
    if problems:
        print(
            f"Miljön är inte komplett ({len(problems)} fel); se {TEMPLATE.relative_to(ROOT)}:",
            file=sys.stderr,
        )
        for line in problems:
            print(f"  - {line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
