"""The product at a fixed clock: one running stack at a time, shared by the dialogue tests.

Two Rasa servers side by side would not fit the shared 2-core machine, so asking for the
other clock stops the running stack first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kontaktcenter.clock import parse_start
from tests.dialogues.harness import CLOCK_LABELS
from tests.e2e.stack import RasaStack

# A Tuesday inside opening hours and a Saturday night (Europe/Stockholm wall time).
DEFAULT_CLOCKS = {"open": "2026-12-01T10:00", "closed": "2026-12-05T02:00"}


def dialogue_clocks(env: dict[str, str] | None = None) -> dict[str, str]:
    """Clock per label; ``KC_DIALOGUE_CLOCKS="open=2026-12-31T10:00,closed=…"`` overrides."""
    clocks = dict(DEFAULT_CLOCKS)
    raw = (env if env is not None else dict(os.environ)).get("KC_DIALOGUE_CLOCKS", "")
    for item in filter(None, (part.strip() for part in raw.split(","))):
        label, _, value = item.partition("=")
        if label not in CLOCK_LABELS:
            raise ValueError(f"KC_DIALOGUE_CLOCKS: unknown label {label!r} ({CLOCK_LABELS})")
        parse_start(value)  # fails early on a malformed time
        clocks[label] = value
    return clocks


@dataclass
class ClockedStack:
    """A running product whose clock started at ``start`` (KC_NOW) and runs forward."""

    label: str
    stack: RasaStack
    start: datetime
    started: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        """The product's clock now: KC_NOW plus the real time elapsed since the anchor."""
        return self.start + timedelta(seconds=time.monotonic() - self.started)


@dataclass
class StackPool:
    """Starts the product at the clock asked for; at most one stack runs."""

    workdir: Path
    clocks: dict[str, str]
    current: ClockedStack | None = None

    def get(self, label: str) -> ClockedStack:
        if self.current is not None and self.current.label == label:
            return self.current
        self.stop()
        value = self.clocks[label]
        # KC_NOW_ANCHOR: every process of the stack shows KC_NOW at this same real moment
        # (a product without the anchor starts its clock a little later, never earlier).
        anchor, started = time.time(), time.monotonic()
        env = {"KC_NOW": value, "KC_NOW_ANCHOR": f"{anchor:.3f}"}
        stack = RasaStack(self.workdir / label, extra_env=env)
        stack.start()
        self.current = ClockedStack(label, stack, parse_start(value), started)
        status, body = stack.api("/status")
        if status != 200 or not isinstance(body, dict) or not body.get("model_file"):
            # Rasa answers [] to everything without a model: say so, not 450 misses.
            raise RuntimeError(f"Rasa started without a model (/status: {status} {body})")
        return self.current

    def any(self) -> ClockedStack:
        """The running stack, or the open-hours one."""
        return self.current if self.current is not None else self.get("open")

    def stop(self) -> None:
        if self.current is not None:
            self.current.stack.stop()
            self.current = None


@pytest.fixture(scope="session")
def stack_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackPool]:
    pool = StackPool(tmp_path_factory.mktemp("dialogues"), dialogue_clocks())
    try:
        yield pool
    finally:
        pool.stop()
