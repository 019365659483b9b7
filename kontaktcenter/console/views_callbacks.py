"""Messages left while the chat was closed: list, mark handled (closes the ärende)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.ids import id_from
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.handover import HandoverError


async def callbacks_page(request: web.Request) -> web.Response:
    show_all = request.query.get("alla") == "1"
    items = await asyncio.to_thread(state(request).handover.callbacks, show_all)
    return render(request, "callbacks.html", callbacks=items, show_all=show_all)


async def mark_handled(request: web.Request) -> web.StreamResponse:
    callback_id = id_from(request)
    form = await request.post()
    me = account(request)
    try:
        await asyncio.to_thread(
            state(request).handover.mark_handled,
            callback_id, me.username, str(form.get("note") or ""), me.display_name,
        )
    except HandoverError as exc:
        items = await asyncio.to_thread(state(request).handover.callbacks, False)
        return render(request, "callbacks.html", status=400, callbacks=items, show_all=False,
                      error=str(exc))
    raise web.HTTPSeeOther("/console/callbacks")
