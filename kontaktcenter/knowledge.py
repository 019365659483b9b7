"""Answers about Helsingborg Innovation District, loaded from ``config/knowledge.yml``.

Knowledge is configuration, not code or Rasa domain: staff can correct a sentence
without retraining, and a test holds every fact against the source text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


def load_knowledge(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): " ".join(str(text).split()) for key, text in data["answers"].items()}


@lru_cache(maxsize=4)
def get_knowledge(config_dir: Path | None = None) -> dict[str, str]:
    """Answer text per HiD intent for this deployment, read once per process."""
    if config_dir is None:
        from kontaktcenter.settings import get_settings

        config_dir = get_settings().config_dir
    return load_knowledge(Path(config_dir) / "knowledge.yml")
