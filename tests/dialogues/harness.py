"""Load the dialogue set, play it against a running bot over REST, score and report it.

Shared by the pytest runner (tests/dialogues/test_dialogues.py, a product started at a
fixed ``KC_NOW``) and scripts/run_dialogues.py (any running instance, the real clock).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from tests.dialogues.expectations import (
    ExpectationError,
    Truth,
    Turn,
    check_invariants,
    check_turn,
    normalise_user,
    reply_text,
    validate_turn,
)

DIALOGUE_DIR = Path(__file__).resolve().parent
CLOCK_LABELS = ("open", "closed")
KINDS = (
    "hours",
    "open_now",
    "contact",
    "hid",
    "follow_up",
    "given_time",
    "period",
    "two_questions",
    "long_message",
    "yes_no_ok",
    "knowledge",
    "public_record",
    "out_of_scope",
    "frustrated",
    "personal_data",
    "nonsense",
)
MAX_TURNS = 6
PASS_RATE = 0.95

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Dialogue:
    id: str
    kind: str
    turns: tuple[Mapping[str, Any], ...]
    clocks: tuple[str, ...] = CLOCK_LABELS
    source: str = ""


def _dialogue(raw: Any, source: str) -> Dialogue:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise ExpectationError(f"{source}: every dialogue needs an `id`")
    where = f"{source}:{raw['id']}"
    unknown = set(raw) - {"id", "kind", "turns", "clocks", "note"}
    if unknown:
        raise ExpectationError(f"{where}: unknown key(s) {sorted(unknown)}")
    if raw.get("kind") not in KINDS:
        raise ExpectationError(f"{where}: kind must be one of {KINDS}")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
        raise ExpectationError(f"{where}: 1–{MAX_TURNS} turns")
    for index, turn in enumerate(turns, 1):
        if not isinstance(turn, Mapping):
            raise ExpectationError(f"{where} turn {index}: a mapping with `user:`")
        validate_turn(turn, f"{where} turn {index}")
    clocks = tuple(raw.get("clocks") or CLOCK_LABELS)
    if not set(clocks) <= set(CLOCK_LABELS):
        raise ExpectationError(f"{where}: clocks must be among {CLOCK_LABELS}")
    return Dialogue(raw["id"], raw["kind"], tuple(turns), clocks, source)


def load_dialogues(directory: Path = DIALOGUE_DIR) -> list[Dialogue]:
    """Every dialogue of every ``*.yml`` in ``directory`` (or of one file); ids unique."""
    dialogues: list[Dialogue] = []
    paths = [directory] if directory.is_file() else sorted(directory.glob("*.yml"))
    if not paths:
        raise ExpectationError(f"no dialogue files in {directory}")
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get("dialogues", []):
            dialogues.append(_dialogue(raw, path.name))
    duplicates = [i for i, n in Counter(d.id for d in dialogues).items() if n > 1]
    if duplicates:
        raise ExpectationError(f"duplicate dialogue ids: {duplicates}")
    return dialogues


class Channel(Protocol):
    def say(self, sender: str, text: str) -> list[dict]: ...


@dataclass
class RestChannel:
    """Rasa's REST channel of a running instance (what a web client uses)."""

    url: str
    timeout: float = 60.0

    def say(self, sender: str, text: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{self.url.rstrip('/')}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())


@dataclass(frozen=True)
class TurnResult:
    dialogue: str
    kind: str
    clock: str
    index: int  # 1-based
    user: str
    reply: str
    at: datetime
    misses: tuple[tuple[str, str], ...]

    @property
    def passed(self) -> bool:
        return not self.misses


def play(
    dialogue: Dialogue,
    channel: Channel,
    clock: Clock,
    truth: Truth,
    label: str,
) -> list[TurnResult]:
    """Send every turn with a fresh sender; evaluate each reply at the clock of its turn."""
    sender = f"dlg-{dialogue.id}-{label}-{uuid.uuid4().hex[:8]}"
    results: list[TurnResult] = []
    previous_reply: str | None = None
    previous_user: str | None = None
    for index, turn in enumerate(dialogue.turns, 1):
        user = turn["user"]
        at = clock()
        try:
            messages = channel.say(sender, user)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            results.append(TurnResult(dialogue.id, dialogue.kind, label, index, user, "", at,
                                      (("invariant", f"request failed: {exc}"),)))
            break
        reply = reply_text(messages)
        repeated = bool(turn.get("repeat_ok")) or (
            previous_user is not None and normalise_user(user) == normalise_user(previous_user)
        )
        misses = check_invariants(messages, previous_reply, repeated)
        if reply.strip():
            try:
                misses += check_turn(turn, Turn(reply, at, truth))
            except ExpectationError as exc:  # e.g. a date that does not resolve at this clock
                misses.append(("expectation", f"cannot be computed: {exc}"))
        results.append(TurnResult(dialogue.id, dialogue.kind, label, index, user, reply, at,
                                  tuple(misses)))
        previous_reply, previous_user = reply, user
    return results


@dataclass
class Report:
    results: list[TurnResult] = field(default_factory=list)

    def extend(self, results: Iterable[TurnResult]) -> None:
        self.results.extend(results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def score(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (passed, total)."""
        table: dict[str, list[int]] = {}
        for result in self.results:
            row = table.setdefault(result.kind, [0, 0])
            row[0] += result.passed
            row[1] += 1
        return {kind: (row[0], row[1]) for kind, row in sorted(table.items())}

    def by_expectation(self) -> Counter[str]:
        return Counter(key for r in self.results for key, _ in r.misses)

    def format(self, max_reply: int = 400) -> str:
        lines = [f"Dialogue turns correct: {self.passed}/{self.total} = {self.score:.1%}"]
        for label in sorted({r.clock for r in self.results}):
            part = [r for r in self.results if r.clock == label]
            good = sum(r.passed for r in part)
            lines.append(f"  clock {label} ({part[0].at:%a %Y-%m-%d %H:%M}): {good}/{len(part)}")
        lines.append("By kind (passed/total):")
        for kind, (good, total) in self.by_kind().items():
            lines.append(f"  {kind:15} {good:4}/{total:<4} {good / total:.0%}")
        lines.append(f"Misses by expectation: {dict(self.by_expectation().most_common())}")
        lines.append("Misses:")
        for r in self.results:
            if r.passed:
                continue
            reply = r.reply.replace("\n", " | ")
            if len(reply) > max_reply:
                reply = reply[:max_reply] + "…"
            lines.append(f"- [{r.clock} {r.at:%a %H:%M}] {r.dialogue} turn {r.index} ({r.kind})")
            lines.append(f"    user:  {r.user}")
            lines.append(f"    reply: {reply}")
            for key, reason in r.misses:
                lines.append(f"    MISS {key}: {reason}")
        return "\n".join(lines)


def run_set(
    dialogues: Sequence[Dialogue],
    channel: Channel,
    clock: Clock,
    truth: Truth,
    label: str,
    respect_pins: bool = True,
) -> list[TurnResult]:
    """Play every dialogue (those pinned to another clock are left out when asked)."""
    results: list[TurnResult] = []
    for dialogue in dialogues:
        if respect_pins and label not in dialogue.clocks:
            continue
        results.extend(play(dialogue, channel, clock, truth, label))
    return results
