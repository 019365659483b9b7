"""Login and logout; presence follows them (kontaktcenter.desk.presence): logging out
makes the agent borta, and a first login starts as borta until the agent chooses."""

from __future__ import annotations

import asyncio

from aiohttp import web

from kontaktcenter.client_address import HEADER, client_address
from kontaktcenter.console.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    account,
    new_login_token,
    set_cookie,
    tokens_match,
)
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.console.views_presence import routing
from kontaktcenter.staff.throttle import THROTTLED


def _login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    token = new_login_token()
    response = render(request, "login.html", status=status, login_token=token, error=error)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not tokens_match(str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, "Sidan var för gammal. Försök logga in igen.", 403)
    console = state(request)
    username = str(form.get("username") or "")[:200]
    address = client_address(
        request.remote, request.headers.getall(HEADER, []), console.settings.trusted_proxies
    ) or "okänd"
    if not console.login_throttle.allowed(address, username):
        return _login_page(request, THROTTLED, 429)
    result = await asyncio.to_thread(
        console.staff.authenticate, username, str(form.get("password") or "")
    )
    if not result.ok or result.account is None:
        console.login_throttle.failed(address, username)
        return _login_page(request, result.message, 401)
    console.login_throttle.succeeded(address, username)
    token, _csrf = await asyncio.to_thread(console.staff.create_session, result.account)
    await asyncio.to_thread(routing(request).logged_in, result.account.username)
    response = web.HTTPFound("/console")
    set_cookie(response, request, SESSION_COOKIE, token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/console")
    raise response


async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(state(request).staff.end_session, request.cookies.get(SESSION_COOKIE))
    await asyncio.to_thread(routing(request).logged_out, account(request).username)
    response = web.HTTPFound("/console/login")
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response
