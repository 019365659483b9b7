"""Render a Jinja2 template (autoescaped) with the logged-in person and CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from kontaktcenter.calendar import STOCKHOLM
from kontaktcenter.console.auth import ACCOUNT_KEY, CSRF_KEY
from kontaktcenter.console.state import state


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H.%M") -> str:
    if value is None:
        return ""
    return value.astimezone(STOCKHOLM).strftime(fmt)


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    console = state(request)
    template = console.templates.get_template(name)
    context.setdefault("message", "")
    context.setdefault("error", "")
    html = template.render(
        account=request.get(ACCOUNT_KEY),
        csrf_token=request.get(CSRF_KEY, ""),
        local_time=local_time,
        **context,
    )
    return web.Response(text=html, content_type="text/html", status=status)


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
