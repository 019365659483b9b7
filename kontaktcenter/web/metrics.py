"""``GET /metrics`` for Prometheus, only with ``Authorization: Bearer $KC_METRICS_TOKEN``.

Without a configured token the endpoint refuses everyone (secure by default).
"""

from __future__ import annotations

import asyncio
import hmac
import os

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from kontaktcenter.settings import Settings

REGISTRY_KEY = web.AppKey("kontaktcenter.metrics", CollectorRegistry)
TOKEN_KEY = web.AppKey("kontaktcenter.metrics_token", str)


def _authorised(request: web.Request) -> bool:
    expected = request.app[TOKEN_KEY]
    given = request.headers.get("Authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given[len("Bearer "):].strip(), expected)


async def metrics(request: web.Request) -> web.Response:
    if not request.app[TOKEN_KEY]:
        return web.Response(status=403, text="Mätvärdena är avstängda: sätt KC_METRICS_TOKEN.\n")
    if not _authorised(request):
        return web.Response(status=401, text="Ange rätt token (Authorization: Bearer …).\n",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body = await asyncio.to_thread(generate_latest, request.app[REGISTRY_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST,
                                            "Cache-Control": "no-store"})


def setup(app: web.Application, settings: Settings) -> None:
    from kontaktcenter.insights.metrics import build_registry

    # The event broker's spool: KC_SPOOL_DIR in production (endpoints.production.yml).
    spool_dir = os.environ.get("KC_SPOOL_DIR") or settings.var_dir / "spool"
    app[TOKEN_KEY] = settings.metrics_token
    app[REGISTRY_KEY] = build_registry(settings.database_url, spool_dir)
    app.router.add_get("/metrics", metrics)
