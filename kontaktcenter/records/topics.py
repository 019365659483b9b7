"""Ärendemening from intents: config/topics.yml maps intent names to Swedish wording."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kontaktcenter.records.policy import config_dir_or_default

SUBJECT_SEPARATOR = "; "


@dataclass(frozen=True)
class Topics:
    """Intent name -> Swedish ärendemening; keys ending in * match a prefix."""

    mapping: dict[str, str]

    def describe(self, intent: str | None) -> str | None:
        if not intent:
            return None
        if intent in self.mapping:
            return self.mapping[intent]
        for pattern, text in self.mapping.items():
            if "*" in pattern and fnmatch.fnmatchcase(intent, pattern):
                return text
        return None


def load_topics(path: Path) -> Topics:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"Kan inte läsa ämneskonfigurationen {path}: {exc}") from exc
    raw = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise ValueError(f"{path} saknar avsnittet 'topics'.")
    return Topics({str(k): str(v).strip() for k, v in raw.items() if v})


@lru_cache(maxsize=4)
def default_topics(config_dir: Path | None = None) -> Topics:
    return load_topics(config_dir_or_default(config_dir) / "topics.yml")
