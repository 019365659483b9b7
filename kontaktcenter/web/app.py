"""Application factory and security headers shared by every page."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from kontaktcenter.settings import Settings, get_settings
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


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    settings: Settings = request.app[SETTINGS_KEY]
    csp = content_security_policy(socket_sources(settings.rasa_public_url))
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
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
    return app


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Startar webbservern (chattwidget och konsol).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
