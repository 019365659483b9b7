"""The snabbsvar page: staff add, change and remove the canned replies they share."""

from __future__ import annotations

import asyncio

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.desk.canned import CannedResponseNotFound, CannedResponses
from kontaktcenter.records.rasa_events import agent_label

LOCATION = "/console/snabbsvar"


def _responses(request: web.Request) -> CannedResponses:
    return CannedResponses(state(request).register.db)


async def _page(request: web.Request, *, status: int = 200, error: str = "",
                draft: dict[str, str] | None = None) -> web.Response:
    canned = await asyncio.to_thread(_responses(request).list)
    return render(request, "snabbsvar.html", status=status, canned=canned, error=error,
                  draft=draft or {"shortcut": "", "text": ""})


async def canned_page(request: web.Request) -> web.Response:
    return await _page(request)


def _me(request: web.Request) -> str:
    me = account(request)
    return agent_label(me.display_name, me.username)


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    draft = {"shortcut": str(form.get("shortcut") or "")[:100],
             "text": str(form.get("text") or "")[:5000]}
    try:
        await asyncio.to_thread(_responses(request).add, draft["shortcut"], draft["text"],
                                _me(request))
    except ValueError as exc:
        return await _page(request, status=400, error=str(exc), draft=draft)
    raise web.HTTPSeeOther(LOCATION)


async def change(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        await asyncio.to_thread(
            _responses(request).update, _id(request), str(form.get("shortcut") or ""),
            str(form.get("text") or ""), _me(request),
        )
    except CannedResponseNotFound as exc:
        return await _page(request, status=404, error=str(exc))
    except ValueError as exc:
        return await _page(request, status=400, error=str(exc))
    raise web.HTTPSeeOther(LOCATION)


async def remove(request: web.Request) -> web.StreamResponse:
    try:
        await asyncio.to_thread(_responses(request).remove, _id(request))
    except CannedResponseNotFound as exc:
        return await _page(request, status=404, error=str(exc))
    raise web.HTTPSeeOther(LOCATION)
