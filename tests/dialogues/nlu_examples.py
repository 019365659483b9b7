"""Intent examples from Rasa NLU files (entity markup removed), for the fuzzer and the
check that the dialogue set is written apart from the training and test data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TRAINING_FILES = tuple(sorted((ROOT / "data" / "nlu").glob("*.yml")))
TEST_FILES = tuple(sorted((ROOT / "tests" / "nlu").glob("*.yml")))
# [fredag](date), [fredag]{"entity": "date"}: keep the text inside the brackets.
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def plain_text(example: str) -> str:
    return _ENTITY.sub(r"\1", example).strip()


def intent_examples(paths: Iterable[Path]) -> dict[str, list[str]]:
    """intent -> its examples, over every NLU file given."""
    found: dict[str, list[str]] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent or not isinstance(block.get("examples"), str):
                continue
            lines = [line.strip() for line in block["examples"].splitlines()]
            examples = [plain_text(line[2:]) for line in lines if line.startswith("- ")]
            found.setdefault(intent, []).extend(e for e in examples if e)
    return found
