"""Login sessions and CSRF protection for every console route.

A server-side session (only its hash is stored) in an HttpOnly, SameSite=Strict cookie,
Secure behind HTTPS. Every state-changing request must carry the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``). The login form itself uses a
double-submit token, since there is no session yet.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from kontaktcenter.console.state import state
from kontaktcenter.staff import Account

SESSION_COOKIE = "kc_console"
LOGIN_CSRF_COOKIE = "kc_console_login"
PREFIX = "/console"
PUBLIC = ("/console/login", "/console/static/")
ACCOUNT_KEY = "kc.account"
CSRF_KEY = "kc.csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def account(request: web.Request) -> Account:
    return request[ACCOUNT_KEY]


def csrf_token(request: web.Request) -> str:
    return request[CSRF_KEY]


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, path=PREFIX, httponly=True, samesite="Strict",
        secure=state(request).secure, max_age=max_age,
    )


def tokens_match(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


async def submitted_csrf(request: web.Request) -> str | None:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/console/api/")


def refuse_anonymous(request: web.Request) -> web.StreamResponse:
    if _is_api(request) or request.method not in SAFE_METHODS:
        return web.json_response({"error": "Du måste logga in."}, status=401)
    raise web.HTTPFound("/console/login")


@web.middleware
async def console_guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Only logged-in staff reach /console; state changes need the CSRF token."""
    path = request.path
    if not (path == PREFIX or path.startswith(PREFIX + "/")):
        return await handler(request)
    if path == "/console/login" or path.startswith("/console/static/"):
        response = await handler(request)
    else:
        found = await asyncio.to_thread(
            state(request).staff.session_account, request.cookies.get(SESSION_COOKIE)
        )
        if found is None:
            return refuse_anonymous(request)
        request[ACCOUNT_KEY], request[CSRF_KEY] = found
        if request.method not in SAFE_METHODS and not tokens_match(
            await submitted_csrf(request), request[CSRF_KEY]
        ):
            return web.json_response(
                {"error": "Ogiltig eller saknad CSRF-token. Ladda om sidan."}, status=403
            )
        response = await handler(request)
    response.headers["Cache-Control"] = "no-store"
    return response


def new_login_token() -> str:
    return secrets.token_urlsafe(32)
