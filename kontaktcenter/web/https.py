"""Whether the product is served over HTTPS: one rule for Secure cookies and for HSTS.

Its own module so that the console and the web app both read it without importing
each other (no import circles).
"""

from __future__ import annotations

import os

from kontaktcenter.settings import Settings


def served_over_https(settings: Settings, env: dict[str, str] | None = None) -> bool:
    """HTTPS deployment: KC_WEB_URL is https, or KC_CONSOLE_SECURE=1 (behind a TLS proxy).

    Decides both Secure cookies and HSTS (docs/security.md)."""
    env = dict(os.environ if env is None else env)
    flag = env.get("KC_CONSOLE_SECURE", "").strip().lower()
    if flag in ("1", "true", "ja", "yes"):
        return True
    if flag in ("0", "false", "nej", "no"):
        return False
    return settings.web_url.lower().startswith("https://")
