"""Application factory and security headers shared by every page."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping

from aiohttp import web

from kontaktcenter.settings import Settings, get_settings
from kontaktcenter.web.https import served_over_https
from kontaktcenter.web.keys import SETTINGS_KEY

logger = logging.getLogger(__name__)


def socket_sources(rasa_public_url: str) -> str:
    """CSP sources for Rasa's socket.io: Chromium does not let http: cover ws:."""
    url = rasa_public_url.rstrip("/")
    if url.startswith("https://"):
        return f"{url} wss://{url[len('https://'):]}"
    if url.startswith("http://"):
        return f"{url} ws://{url[len('http://'):]}"
    return url


def content_security_policy(connect_src: str) -> str:
    """No inline script anywhere; Rasa's socket.io endpoint is the only other origin."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {connect_src}; frame-ancestors 'self'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    ).strip()


HSTS = "max-age=31536000; includeSubDomains"
SERVER_ERROR = "Något gick fel på servern. Försök igen om en stund."


def add_security_headers(headers: MutableMapping[str, str], settings: Settings) -> None:
    csp = content_security_policy(socket_sources(settings.rasa_public_url))
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if served_over_https(settings):
        headers.setdefault("Strict-Transport-Security", HSTS)


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """On every response: pages, files, redirects, 404s and unexpected errors alike."""
    settings: Settings = request.app[SETTINGS_KEY]
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects and errors are raised in aiohttp
        add_security_headers(exc.headers, settings)
        raise
    except Exception:
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        response = web.Response(status=500, text=SERVER_ERROR)
    add_security_headers(response.headers, settings)
    return response


def create_app(settings: Settings | None = None) -> web.Application:
    """The whole web process; each area adds its own routes with ``setup(app)``."""
    from kontaktcenter.console import setup as setup_console
    from kontaktcenter.web import site

    settings = settings or get_settings()
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings
    site.setup(app)
    setup_console(app)
    from kontaktcenter.web import metrics  # GET /metrics for Prometheus (token)

    metrics.setup(app, settings)
    return app


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Startar webbservern (chattwidget och konsol).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    os.umask(0o077)  # the register database and logs hold personal data: owner only
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
