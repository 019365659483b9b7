"""Handover settings from the environment (see docs in the report; KC_HANDOVER_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from kontaktcenter.settings import env_number


@dataclass(frozen=True)
class HandoverSettings:
    """``timeout``: how long a queued ärende may wait before the resident is told."""

    timeout: timedelta = timedelta(minutes=10)
    check_every_seconds: float = 15.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> HandoverSettings:
        env = dict(os.environ if env is None else env)
        minutes = env_number(env, "KC_HANDOVER_TIMEOUT_MINUTES", 10.0)
        every = env_number(env, "KC_HANDOVER_CHECK_SECONDS", 15.0)
        return cls(timedelta(minutes=minutes), every)
