"""Create the untracked secrets file on first run; never overwrite existing values.

The Rasa HTTP API token, the console's session key, the web chat's conversation-token
key and the action server's shared secret come from the environment in production;
locally they live in ``var/secrets.env`` (git-ignored, mode 0600).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

KEYS = (
    "KC_RASA_TOKEN",
    "KC_CONSOLE_SECRET",
    "KC_METRICS_TOKEN",
    "KC_CONVERSATION_SECRET",
    "KC_ACTION_TOKEN",
)


def ensure(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                existing[key.strip()] = value.strip()
    missing = [k for k in KEYS if not existing.get(k)]
    if not missing:
        return
    for key in missing:
        existing[key] = os.environ.get(key) or secrets.token_urlsafe(32)
    body = "# Lokala hemligheter, skapade av make. Checka aldrig in denna fil.\n"
    body += "".join(f"{k}={v}\n" for k, v in existing.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    print(f"Skapade hemligheter i {path}: {', '.join(missing)}")


if __name__ == "__main__":
    ensure(Path(sys.argv[1] if len(sys.argv) > 1 else "var/secrets.env"))
