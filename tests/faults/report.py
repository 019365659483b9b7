"""Figures for issue 11's closing table, recorded by the fault and attack tests themselves.

A test calls :func:`record` with what it counted (messages accepted, in the register
exactly once, refused out loud, silently lost). Loaded as a pytest plugin
(``-p tests.faults.report``, as ``scripts/fault_report.py`` does), this module also
records every test's outcome, and writes both as JSON lines to the file named by
``KC_FAULT_REPORT``. Without that variable :func:`record` does nothing, so the tests run
the same in ``make test``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPORT_ENV = "KC_FAULT_REPORT"
_current: dict[str, str] = {}


def _write(row: dict[str, Any]) -> None:
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def record(case: str, *, accepted: int, once: int, refused: int = 0, silent: int = 0,
           sent: int | None = None, note: str = "") -> None:
    """One line of the table: ``case`` and its counts.

    ``accepted``: messages answered (kept by the product); ``once``: of those, found in
    the register exactly once and in order; ``refused``: refused out loud (a Swedish
    "försök igen", nothing kept); ``silent``: neither answered nor refused.
    """
    _write({"kind": "figures", "test": _current.get("nodeid", ""), "case": case,
            "sent": accepted + refused + silent if sent is None else sent,
            "accepted": accepted, "once": once, "refused": refused, "silent": silent,
            "note": note})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _current["nodeid"] = item.nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _write({"kind": "outcome", "test": report.nodeid, "outcome": report.outcome,
                "seconds": round(report.duration, 1)})
