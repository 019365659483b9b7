"""Start ``rasa run`` with its secrets from the environment instead of the command line.

``rasa run --auth-token X`` put the API token in the process list (``ps``, /proc/*/cmdline)
for every local user to read; Rasa 3.6 reads the token only from argv. This launcher adds
``--auth-token`` and ``--jwt-secret`` (both KC_RASA_TOKEN) to ``sys.argv`` inside the
process, so ``ps`` shows only the launcher's own arguments. The JWT secret lets our own
client (kontaktcenter.rasa_client) authenticate with an ``Authorization: Bearer`` header
instead of ``?token=`` in URLs; ``?token=`` still works for people using curl.

The interface defaults to 127.0.0.1 (KC_RASA_INTERFACE), not Rasa's 0.0.0.0.

    python -m rasa_addons.rasa_server run --model models --enable-api ...
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "KC_RASA_TOKEN"  # noqa: S105 (a name, not a secret)
INTERFACE_ENV = "KC_RASA_INTERFACE"


def rasa_argv(args: list[str], env: dict[str, str]) -> list[str]:
    """The argv Rasa gets: ours plus interface and secrets (refused if given on argv)."""
    if any(a in ("--auth-token", "--jwt-secret") or a.startswith(("--auth-token=",
           "--jwt-secret=")) for a in args):
        raise SystemExit("Ange inte token på kommandoraden; sätt KC_RASA_TOKEN i miljön.")
    if not args or args[0] != "run" or (len(args) > 1 and args[1] == "actions"):
        raise SystemExit("Bara 'rasa run' startas härifrån.")
    token = env.get(TOKEN_ENV, "")
    if not token:
        raise SystemExit("KC_RASA_TOKEN saknas: Rasas HTTP-API startas aldrig utan token.")
    extra: list[str] = []
    if not any(a in ("-i", "--interface") or a.startswith("--interface=") for a in args):
        extra += ["--interface", env.get(INTERFACE_ENV, "") or "127.0.0.1"]
    extra += ["--auth-token", token, "--jwt-secret", token, "--jwt-method", "HS256"]
    return ["rasa", *args, *extra]


PRIVATE_UMASK = 0o077  # trackers, spool and logs hold residents' messages


def main() -> None:
    os.umask(PRIVATE_UMASK)
    sys.argv = rasa_argv(sys.argv[1:], dict(os.environ))
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
