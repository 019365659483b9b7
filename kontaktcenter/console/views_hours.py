"""Opening-hour exceptions: add or edit a date's hours or closure, remove it."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

from aiohttp import web

from kontaktcenter import clock
from kontaktcenter.calendar import STOCKHOLM
from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.records.rasa_events import agent_label


def _author(request: web.Request) -> str:
    """The logged-in person, as the register names staff: full name and username."""
    me = account(request)
    return agent_label(me.display_name, me.username)


def _parse_time(value: str, what: str) -> time | None:
    value = value.strip().replace(".", ":")
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} ska skrivas TT.MM, till exempel 08.00.") from None


async def _page(request: web.Request, error: str = "", message: str = "",
                status: int = 200) -> web.Response:
    today = clock.today(STOCKHOLM)
    items = await asyncio.to_thread(
        state(request).calendar.repository.entries, today - timedelta(days=30),
        today + timedelta(days=5 * 366),
    )
    return render(request, "hours.html", status=status, exceptions=items, today=today,
                  error=error, message=message)


async def hours_page(request: web.Request) -> web.Response:
    return await _page(request)


async def save_exception(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        try:
            day = date.fromisoformat(str(form.get("day") or "").strip())
        except ValueError:
            raise ValueError("Datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2026-12-23.") from None
        closed = form.get("closed") == "1"
        opens = None if closed else _parse_time(str(form.get("opens") or ""), "Öppnar")
        closes = None if closed else _parse_time(str(form.get("closes") or ""), "Stänger")
        _, replaced = await asyncio.to_thread(
            state(request).calendar.repository.put, day, closed=closed, opens=opens,
            closes=closes, note=str(form.get("note") or ""), by=_author(request),
        )
    except ValueError as exc:
        return await _page(request, error=str(exc), status=400)
    what = "ändrad" if replaced else "tillagd"
    return await _page(request, message=f"Avvikelsen för {day.isoformat()} är {what}.")


async def remove_exception(request: web.Request) -> web.Response:
    try:
        day = date.fromisoformat(request.match_info["day"])
    except ValueError:
        return await _page(request, error="Ogiltigt datum.", status=400)
    removed = await asyncio.to_thread(
        state(request).calendar.repository.remove, day, _author(request)
    )
    text = "borttagen" if removed else "fanns inte"
    return await _page(request, message=f"Avvikelsen för {day.isoformat()} är {text}.")
