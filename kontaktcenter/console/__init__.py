"""The staff console: queue, live conversations, callbacks, case search, opening hours.

``setup(app)`` adds everything under /console to the web process. Only logged-in staff
get past :func:`kontaktcenter.console.auth.console_guard`; the Rasa API is called
server-side with the token (kontaktcenter.rasa_client), never from the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from aiohttp import web

from kontaktcenter.console import (
    views_callbacks,
    views_canned,
    views_cases,
    views_events,
    views_handover,
    views_hours,
    views_insights,
    views_login,
    views_notes,
    views_presence,
)
from kontaktcenter.console.auth import console_guard
from kontaktcenter.console.state import STATE_KEY, ConsoleState
from kontaktcenter.web.keys import SETTINGS_KEY

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
TIMEOUT_TASK_KEY = web.AppKey("kontaktcenter.console.timeout_task", asyncio.Task)


async def _timeout_loop(console: ConsoleState) -> None:
    while True:
        await asyncio.sleep(console.handover_settings.check_every_seconds)
        try:
            await views_handover.expire_waiting(console)
        except Exception:
            logger.exception("Handover timeout check failed (retrying).")


async def _start(app: web.Application) -> None:
    app[TIMEOUT_TASK_KEY] = asyncio.create_task(_timeout_loop(app[STATE_KEY]))


async def _stop(app: web.Application) -> None:
    task = app.get(TIMEOUT_TASK_KEY)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app[STATE_KEY].close()


async def _home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console")


def setup(app: web.Application) -> None:
    """Add the console's routes, guard and background timeout check to ``app``."""
    app[STATE_KEY] = ConsoleState.create(app[SETTINGS_KEY])
    app.middlewares.append(console_guard)
    r = app.router
    r.add_get("/console/login", views_login.login_form)
    r.add_post("/console/login", views_login.login)
    r.add_post("/console/logout", views_login.logout)
    r.add_get("/console", views_handover.queue_page)
    r.add_get("/console/", _home)
    r.add_get("/console/api/queue", views_handover.queue_api)
    r.add_post("/console/handover/{id}/take", views_handover.take)
    r.add_get("/console/handover/{id}", views_handover.conversation_page)
    r.add_get("/console/api/handover/{id}/transcript", views_handover.transcript_api)
    r.add_post("/console/handover/{id}/reply", views_handover.reply)
    r.add_post("/console/handover/{id}/typing", views_handover.typing)
    r.add_post("/console/handover/{id}/handback", views_handover.hand_back)
    r.add_post("/console/handover/{id}/transfer", views_handover.transfer)
    r.add_post("/console/handover/{id}/close", views_handover.close)
    r.add_get("/console/callbacks", views_callbacks.callbacks_page)
    r.add_post("/console/callbacks/{id}/handled", views_callbacks.mark_handled)
    r.add_get("/console/cases", views_cases.search_page)
    r.add_get("/console/cases/{number}", views_cases.case_page)
    r.add_post("/console/cases/{number}/original", views_cases.read_original)
    r.add_post("/console/cases/{number}/export", views_cases.export)
    r.add_get("/console/hours", views_hours.hours_page)
    r.add_post("/console/hours", views_hours.save_exception)
    r.add_post("/console/hours/{day}/remove", views_hours.remove_exception)
    views_insights.setup(app)  # Statistik, Obesvarade frågor
    r.add_post("/console/cases/{number}/notes", views_notes.add_case_note)
    r.add_post("/console/handover/{id}/notes", views_notes.add_conversation_note)
    r.add_get("/console/snabbsvar", views_canned.canned_page)
    r.add_post("/console/snabbsvar", views_canned.add)
    r.add_post("/console/snabbsvar/{id}", views_canned.change)
    r.add_post("/console/snabbsvar/{id}/remove", views_canned.remove)
    r.add_get("/console/status", views_presence.status_page)
    r.add_post("/console/status", views_presence.set_status)
    r.add_get("/console/team", views_presence.team_page)
    views_events.setup(app)
    r.add_static("/console/static", STATIC, follow_symlinks=False)
    # aiosignal 1.4 types Signal with a TypeVarTuple that aiohttp 3.9's annotations predate.
    app.on_startup.append(_start)  # type: ignore[arg-type]
    app.on_cleanup.append(_stop)  # type: ignore[arg-type]
