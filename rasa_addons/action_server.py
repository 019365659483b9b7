"""The action server, bound to 127.0.0.1 by default and closed to callers without the secret.

``rasa run actions`` (rasa_sdk 3.6) listens on 0.0.0.0 with no authentication: anyone on
the network could run ``action_leave_message`` for another resident's conversation. Here
rasa_sdk's own Sanic app is started with

* ``--host`` (default KC_ACTIONS_HOST or 127.0.0.1);
* a shared secret, KC_ACTION_TOKEN, that Rasa sends as the ``X-KC-Action-Token`` header
  (``action_endpoint.headers`` in endpoints*.yml). Required whenever the server listens
  on anything but the loopback interface (production); always checked when set;
* errors logged without the request (the tracker holds residents' messages) and answered
  without echoing it back, unlike rasa_sdk's handler.

    python -m rasa_addons.action_server --port 5055 --actions actions
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.rasa_server import PRIVATE_UMASK

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-KC-Action-Token"  # noqa: S105 (a name, not a secret)
TOKEN_ENV = "KC_ACTION_TOKEN"  # noqa: S105 (a name, not a secret)
OPEN_PATHS = ("/health",)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(actions: str = "actions", token: str | None = None) -> Sanic:
    """rasa_sdk's app (no CORS: only Rasa calls it) with the secret and quiet errors."""
    app = create_sdk_app(actions, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if not token or request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return response.json({"error": "Åtkomst nekad."}, status=401)

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("Action server request failed: %s", type(exception).__name__,
                     exc_info=exception)
        return response.json({"error": "Åtgärden misslyckades."}, status=500)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Startar action-servern.")
    parser.add_argument("--host", default=os.environ.get("KC_ACTIONS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    if not token and not is_loopback(args.host):
        print(f"{TOKEN_ENV} saknas: action-servern lyssnar på {args.host} och måste då kräva "
              "en delad hemlighet från Rasa.", file=sys.stderr)
        return 2
    os.umask(PRIVATE_UMASK)
    logging.basicConfig(level=logging.INFO)
    app = create_app(args.actions, token or None)
    logger.info("Action server on http://%s:%s (secret %s)", args.host, args.port,
                "required" if token else "not required: loopback only")
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
