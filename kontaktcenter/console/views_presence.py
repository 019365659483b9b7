"""Presence ("Min status") for each agent, transfer targets, and the team lead's overview."""

from __future__ import annotations

import asyncio

from aiohttp import web

from kontaktcenter.clock import now_utc
from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.desk.presence import LABELS, AgentLoad, Routing
from kontaktcenter.staff.accounts import ROLE_TEAM_LEAD


def routing(request: web.Request) -> Routing:
    console = state(request)
    return Routing(console.register.db, idle_timeout=console.staff.idle_timeout)


async def available_colleagues(request: web.Request) -> list[AgentLoad]:
    """Who a chat can be transferred to: available, usable, under the limit, not me."""
    return await asyncio.to_thread(routing(request).available, account(request).username)


async def status_page(request: web.Request, *, error: str = "", status: int = 200,
                      message: str = "") -> web.Response:
    me = account(request)
    loads = await asyncio.to_thread(routing(request).loads)
    mine = next((a for a in loads if a.username == me.username), None)
    current = await asyncio.to_thread(routing(request).status_of, me.username)
    return render(request, "status.html", status=status, error=error, message=message,
                  labels=LABELS, current=current, mine=mine)


async def set_status(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        await asyncio.to_thread(routing(request).set_status, account(request).username,
                                str(form.get("status") or ""))
    except ValueError as exc:
        return await status_page(request, error=str(exc), status=400)
    raise web.HTTPSeeOther("/console/status")


async def team_page(request: web.Request) -> web.Response:
    """For the team lead: who is available, queue length and longest wait, chats per agent."""
    if account(request).role != ROLE_TEAM_LEAD:
        return render(request, "error.html", status=403,
                      error="Översikten är till för teamledare.")
    console = state(request)
    loads = await asyncio.to_thread(routing(request).loads)
    waiting = await asyncio.to_thread(console.handover.queue)
    now = now_utc()
    longest = max((int(i.waited(now).total_seconds() // 60) for i in waiting), default=None)
    return render(request, "team.html", loads=loads, queue_length=len(waiting),
                  longest_wait=longest,
                  available=sum(1 for a in loads if a.can_take))
