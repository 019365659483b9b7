"""How long a chat session (one ärende) lasts without messages: read from domain.yml.

Rasa starts a new session after ``session_config.session_expiration_time`` minutes of
silence; the register closes the idle ärende after the same time. The domain is the one
source, so the two can never disagree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


@lru_cache(maxsize=4)
def session_minutes(domain: Path = DOMAIN) -> float:
    """``session_expiration_time`` in minutes (Rasa's default, 60, when not set)."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    value = (data.get("session_config") or {}).get("session_expiration_time", 60)
    minutes = float(value)
    if minutes <= 0:
        raise ValueError(f"session_expiration_time i {domain.name} ska vara större än 0.")
    return minutes
