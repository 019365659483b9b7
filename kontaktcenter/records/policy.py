"""Records configuration: retention categories and access (config/retention.yml).

Retention periods and the decisions they rest on live only in configuration; a
missing or malformed entry is a Swedish ValueError, never a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ACTION_DELETE = "delete"
ACTION_ANONYMISE = "anonymise"


@dataclass(frozen=True)
class RetentionCategory:
    name: str
    description: str
    decision: str
    retention_days: int
    action: str


@dataclass(frozen=True)
class RecordsPolicy:
    """Retention categories plus who may read originals."""

    categories: dict[str, RetentionCategory]
    default_category: str
    staff_category: str
    original_reader_roles: frozenset[str]

    def category(self, name: str) -> RetentionCategory:
        try:
            return self.categories[name]
        except KeyError:
            raise ValueError(f"Gallringskategorin {name!r} finns inte i retention.yml.") from None


def _category(name: str, raw: Any) -> RetentionCategory:
    where = f"Gallringskategorin {name!r} i retention.yml"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} måste vara en tabell med decision, retention_days och action.")
    decision = str(raw.get("decision") or "").strip()
    if not decision:
        raise ValueError(f"{where} saknar beslut (decision).")
    days = raw.get("retention_days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError(f"{where}: retention_days måste vara ett heltal ≥ 0.")
    action = raw.get("action")
    if action not in (ACTION_DELETE, ACTION_ANONYMISE):
        raise ValueError(f"{where}: action måste vara 'delete' eller 'anonymise'.")
    return RetentionCategory(
        name=name,
        description=str(raw.get("description") or name),
        decision=decision,
        retention_days=days,
        action=action,
    )


def parse_policy(data: Any) -> RecordsPolicy:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ValueError("retention.yml saknar avsnittet 'categories'.")
    categories = {str(k): _category(str(k), v) for k, v in data["categories"].items()}
    if not categories:
        raise ValueError("retention.yml måste ha minst en gallringskategori.")
    default = str(data.get("default_category") or "")
    staff = str(data.get("staff_category") or default)
    for key, value in (("default_category", default), ("staff_category", staff)):
        if value not in categories:
            raise ValueError(f"retention.yml: {key} {value!r} är ingen känd kategori.")
    roles = data.get("original_reader_roles") or []
    if not isinstance(roles, list):
        raise ValueError("retention.yml: original_reader_roles måste vara en lista.")
    return RecordsPolicy(
        categories=categories,
        default_category=default,
        staff_category=staff,
        original_reader_roles=frozenset(str(r).strip().lower() for r in roles),
    )


def load_policy(path: Path) -> RecordsPolicy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"Kan inte läsa gallringskonfigurationen {path}: {exc}") from exc
    return parse_policy(yaml.safe_load(text))


@lru_cache(maxsize=4)
def default_policy(config_dir: Path | None = None) -> RecordsPolicy:
    return load_policy(config_dir_or_default(config_dir) / "retention.yml")


def config_dir_or_default(config_dir: Path | None) -> Path:
    if config_dir is not None:
        return Path(config_dir)
    from kontaktcenter.settings import get_settings

    return get_settings().config_dir
