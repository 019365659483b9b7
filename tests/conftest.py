"""Shared by every test: no telemetry, and a product clock each test controls.

A ``KC_NOW`` in the developer's shell must not leak into in-process tests, so each test
starts on the real clock; a test that depends on the date or hour sets it with
``frozen_at`` (freezegun) or, for subprocesses, passes ``KC_NOW`` explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from freezegun import freeze_time
from hypothesis import settings

from kontaktcenter import clock

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

FreezeAt = Callable[..., datetime]


@pytest.fixture(autouse=True)
def _product_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(clock.ENV_VAR, raising=False)
    monkeypatch.delenv(clock.ANCHOR_VAR, raising=False)
    clock.reset()
    yield
    clock.reset()


@pytest.fixture()
def kc_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], datetime]:
    """``kc_now("2026-11-27T10:00")`` sets the product clock as ``KC_NOW`` does.

    Time keeps running (unlike ``frozen_at``), so event loops and threads behave; the
    autouse fixture above restores the real clock afterwards.
    """

    def start(moment: str) -> datetime:
        monkeypatch.setenv(clock.ENV_VAR, moment)
        clock.reset()
        return clock.now()

    return start


@pytest.fixture()
def frozen_at() -> Iterator[FreezeAt]:
    """``frozen_at("2026-11-27T10:00")`` freezes time at that Stockholm wall time.

    Returns the aware instant. ``tick=True`` lets time run on from there.
    """
    freezers = []

    def freeze(moment: str | datetime, *, tick: bool = False) -> datetime:
        at = clock.parse_start(moment) if isinstance(moment, str) else moment
        freezer = freeze_time(at, tick=tick)
        freezer.start()
        freezers.append(freezer)
        return at

    yield freeze
    for freezer in reversed(freezers):
        freezer.stop()


# Hypothesis' per-example deadline is a wall-clock limit: on a loaded 2-core CI machine it
# turns correct code into "flaky" failures. Speed is measured in bench/, not in tests.
settings.register_profile("kontaktcenter", deadline=None, derandomize=True)
settings.load_profile("kontaktcenter")
