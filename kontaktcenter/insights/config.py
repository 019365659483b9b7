"""Thresholds for the insights, from config/insights.yml (staff tune them, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kontaktcenter.records.policy import config_dir_or_default


@dataclass(frozen=True)
class InsightsConfig:
    missed_confidence_threshold: float = 0.7
    top_count: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.missed_confidence_threshold <= 1.0:
            raise ValueError("missed_confidence_threshold ska ligga mellan 0 och 1.")
        if not 1 <= self.top_count <= 100:
            raise ValueError("top_count ska vara mellan 1 och 100.")


def load_config(path: Path) -> InsightsConfig:
    """The file's values; a missing file gives the defaults, a broken one an error."""
    if not path.exists():
        return InsightsConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return InsightsConfig(
            missed_confidence_threshold=float(data.get("missed_confidence_threshold", 0.7)),
            top_count=int(data.get("top_count", 10)),
        )
    except (OSError, yaml.YAMLError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"Kan inte läsa {path}: {exc}") from exc


@lru_cache(maxsize=4)
def default_config(config_dir: Path | None = None) -> InsightsConfig:
    return load_config(config_dir_or_default(config_dir) / "insights.yml")
