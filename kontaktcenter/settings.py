"""Run-time settings read from the environment (never from code constants).

Secrets and deployment choices come from the environment or from the untracked
``var/secrets.env`` written by set-up; everything has an embedded default so that
``make run`` works on a fresh machine with SQLite files under ``var/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kontaktcenter.client_address import TrustedProxies, parse_trusted_proxies


def _project_root() -> Path:
    """The directory the product runs from: KC_HOME, else the working directory."""
    return Path(os.environ.get("KC_HOME", os.getcwd())).resolve()


@dataclass(frozen=True)
class Settings:
    """Deployment settings; build with :func:`get_settings` or directly in tests."""

    root: Path
    var_dir: Path
    config_dir: Path
    database_url: str
    timezone: str = "Europe/Stockholm"
    rasa_url: str = "http://127.0.0.1:5005"
    # Where browsers reach Rasa's socket.io channel (the widget); never the HTTP API.
    rasa_public_url: str = "http://localhost:5005"
    web_url: str = "http://localhost:8080"
    rasa_token: str = field(default="", repr=False)
    console_secret: str = field(default="", repr=False)
    # Bearer token for GET /metrics (Prometheus); empty: the endpoint refuses everyone.
    metrics_token: str = field(default="", repr=False)
    # Signs the web chat's conversation tokens (kontaktcenter.conversation_token).
    conversation_secret: str = field(default="", repr=False)
    # A console login ends after this many minutes without a request (KC_CONSOLE_IDLE_MINUTES).
    console_idle_minutes: float = 30.0
    # Proxies whose X-Forwarded-For is believed (KC_TRUSTED_PROXIES; none by default).
    trusted_proxies: TrustedProxies = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        root = Path(env.get("KC_HOME", os.getcwd())).resolve()
        var_dir = Path(env.get("KC_VAR_DIR", root / "var")).resolve()
        config_dir = Path(env.get("KC_CONFIG_DIR", root / "config")).resolve()
        url = env.get("KC_DATABASE_URL") or f"sqlite:///{var_dir / 'kontaktcenter.db'}"
        rasa_port = env.get("KC_RASA_PORT", "").strip() or "5005"
        return cls(
            root=root,
            var_dir=var_dir,
            config_dir=config_dir,
            database_url=url,
            timezone=env.get("KC_TIMEZONE", "Europe/Stockholm"),
            # KC_RASA_PORT (the port scripts/run.sh starts Rasa on) moves both defaults.
            rasa_url=env.get("KC_RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            rasa_public_url=env.get("KC_RASA_PUBLIC_URL", f"http://localhost:{rasa_port}"),
            web_url=env.get("KC_WEB_URL", "http://localhost:8080"),
            rasa_token=env.get("KC_RASA_TOKEN", ""),
            console_secret=env.get("KC_CONSOLE_SECRET", ""),
            metrics_token=env.get("KC_METRICS_TOKEN", ""),
            conversation_secret=env.get("KC_CONVERSATION_SECRET", ""),
            console_idle_minutes=env_number(env, "KC_CONSOLE_IDLE_MINUTES", 30.0,
                                             unit="ett antal minuter"),
            trusted_proxies=parse_trusted_proxies(env.get("KC_TRUSTED_PROXIES")),
        )


def env_number(
    env: Mapping[str, str], name: str, default: float, *, unit: str = "ett tal",
    minimum: float = 0.0, inclusive: bool = False,
) -> float:
    """A number from ``env`` (decimal comma accepted) above ``minimum`` (or at least it,
    when ``inclusive``); unset is ``default``; a Swedish error names the variable."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"{name} ska vara {unit}, inte {raw!r}.") from None
    if value < minimum or (value == minimum and not inclusive):
        bound = f"minst {minimum:g}" if inclusive else f"större än {minimum:g}"
        raise ValueError(f"{name} ska vara {bound}, inte {raw!r}.")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once on first use (not at import)."""
    return Settings.from_env()
