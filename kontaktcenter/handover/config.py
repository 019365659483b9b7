"""Handover settings from the environment (see docs in the report; KC_HANDOVER_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class HandoverSettings:
    """``timeout``: how long a queued ärende may wait before the resident is told."""

    timeout: timedelta = timedelta(minutes=10)
    check_every_seconds: float = 15.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> HandoverSettings:
        env = dict(os.environ if env is None else env)
        minutes = _positive(env, "KC_HANDOVER_TIMEOUT_MINUTES", 10.0)
        every = _positive(env, "KC_HANDOVER_CHECK_SECONDS", 15.0)
        return cls(timedelta(minutes=minutes), every)


def _positive(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} ska vara ett tal, inte {raw!r}.") from None
    if value <= 0:
        raise ValueError(f"{name} ska vara större än 0.")
    return value
