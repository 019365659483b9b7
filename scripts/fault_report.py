"""Run issue 11's fault and attack tests and print the closing note's table of figures.

    .venv/bin/python scripts/fault_report.py            # run the tests, print the table
    .venv/bin/python scripts/fault_report.py -k flood   # only some (pytest -k)
    .venv/bin/python scripts/fault_report.py --from report.jsonl   # table of an earlier run
    .venv/bin/python scripts/fault_report.py --keep run.jsonl -x   # other options: pytest's

The tests count what happened themselves (tests/faults/report.py): messages answered,
in the register exactly once and in order, refused out loud, and neither (silent).
Each runs its own product instance on free loopback ports. Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.report import REPORT_ENV  # noqa: E402

TARGETS = [
    "tests/faults/test_register_faults.py",
    "tests/faults/test_action_server_down.py",
    "tests/faults/test_supervisor.py",
    "tests/faults/test_trusted_proxies.py",
    "tests/e2e/test_hostile_residents.py",
    "tests/e2e/test_bad_input_corpus.py",
]
OUTCOME = {"passed": "gick igenom", "failed": "MISSLYCKADES", "skipped": "hoppades över"}


def read(path: Path) -> tuple[list[dict], dict[str, dict]]:
    figures: list[dict] = []
    outcomes: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] == "figures":
            figures.append(row)
        else:
            outcomes[row["test"]] = row
    return figures, outcomes


def short(nodeid: str) -> str:
    path, _, name = nodeid.partition("::")
    return f"{Path(path).name}::{name}"


def table(figures: list[dict], outcomes: dict[str, dict]) -> str:
    lines = [
        "| Fall | Skickade | Besvarade | I registret exakt en gång, i ordning | "
        "Nekade med besked | Tysta | Test | Utfall |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in figures:
        outcome = outcomes.get(row["test"], {}).get("outcome", "?")
        once = f"{row['once']} av {row['accepted']}"
        lines.append(
            f"| {row['case']} | {row['sent']} | {row['accepted']} | {once} | {row['refused']} | "
            f"{row['silent']} | `{short(row['test'])}` | {OUTCOME.get(outcome, outcome)} |"
        )
    counted = {row["test"] for row in figures}
    by_file: dict[str, list[str]] = defaultdict(list)
    for test, row in outcomes.items():
        if test not in counted:
            by_file[test.split("::")[0]].append(row["outcome"])
    if by_file:
        lines += ["", "| Övriga fall (utan räknade meddelanden) | Tester | Gick igenom | Test |",
                  "|---|---:|---:|---|"]
        for path, results in sorted(by_file.items()):
            label = ("Fientliga invånare: nekas, inget ändras"
                     if "hostile" in path else "Övrigt i " + Path(path).name)
            lines.append(f"| {label} | {len(results)} | {results.count('passed')} | "
                         f"`{Path(path).name}` |")
    failed = [t for t, r in outcomes.items() if r["outcome"] != "passed"]
    lines += ["", f"{len(outcomes)} tester, {len(outcomes) - len(failed)} gick igenom."]
    lines += [f"MISSLYCKADES: `{short(t)}`" for t in failed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="keyword", help="bara tester som matchar (pytest -k)")
    parser.add_argument("--from", dest="source", type=Path,
                        help="skriv tabellen från en tidigare körnings JSON-rader")
    parser.add_argument("--keep", type=Path, help="spara körningens JSON-rader här")
    parser.add_argument("targets", nargs="*", default=TARGETS)
    args, pytest_args = parser.parse_known_args(argv)  # the rest goes to pytest
    code = 0
    if args.source:
        report = args.source
    else:
        report = args.keep or Path(tempfile.mkstemp(prefix="faults-", suffix=".jsonl")[1])
        report.write_text("")
        env = {**os.environ, REPORT_ENV: str(report), "PYTHONPATH": str(ROOT),
               "RASA_TELEMETRY_ENABLED": "false"}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "tests.faults.report",
                   "-p", "no:cacheprovider", *pytest_args, *args.targets]
        if args.keyword:
            command += ["-k", args.keyword]
        code = subprocess.run(command, cwd=ROOT, env=env).returncode  # noqa: S603 - our own argv
    figures, outcomes = read(report)
    print()
    print(table(figures, outcomes))
    return code


if __name__ == "__main__":
    sys.exit(main())
