"""Internal notes (anteckningar) on an ärende, from the case page or the live conversation.

Notes never reach the resident: they go to the register, not through Rasa. What the
conversation page shows beside the chat (notes, snabbsvar) is gathered here too, so the
handover views only pass it on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render, wants_json
from kontaktcenter.console.state import state
from kontaktcenter.desk.canned import CannedResponses
from kontaktcenter.handover import HandoverError, HandoverInfo, HandoverNotFound
from kontaktcenter.records import CaseNotFound
from kontaktcenter.records.rasa_events import agent_label
from kontaktcenter.records.vocabulary import normalise_diarienummer


async def desk_context(request: web.Request, info: HandoverInfo) -> dict[str, Any]:
    """The notes of the conversation's ärende and the snabbsvar for its reply box."""
    console = state(request)
    notes = []
    if info.diarienummer:
        try:
            notes = await asyncio.to_thread(console.register.notes, info.diarienummer)
        except (CaseNotFound, ValueError):
            notes = []
    canned = await asyncio.to_thread(CannedResponses(console.register.db).list)
    return {"notes": notes, "canned": canned}


async def _write(request: web.Request, number: str) -> str:
    """Record the posted note; returns the Swedish error, or "" when it was recorded."""
    me = account(request)
    form = await request.post()
    try:
        await asyncio.to_thread(
            state(request).register.add_note, number,
            agent_label(me.display_name, me.username), str(form.get("text") or ""),
        )
    except CaseNotFound:
        return "Ärendet finns inte."
    except ValueError as exc:
        return str(exc)
    return ""


async def record_transfer_note(request: web.Request, info: HandoverInfo, text: str) -> None:
    """The note a transfer carries to the colleague, kept as one of the ärende's notes.

    Recorded before the move, so a refused note (too long) leaves the chat where it was.
    """
    if not text.strip() or not info.diarienummer:
        return
    me = account(request)
    await asyncio.to_thread(
        state(request).register.add_note, info.diarienummer,
        agent_label(me.display_name, me.username), f"Överlämning: {text.strip()}",
    )


def _answer(request: web.Request, error: str, location: str) -> web.StreamResponse:
    if wants_json(request):
        if error:
            return web.json_response({"error": error}, status=400)
        return web.json_response({"ok": True, "location": location})
    if error:
        return render(request, "error.html", status=400, error=error)
    raise web.HTTPSeeOther(location + "#anteckningar")


async def add_case_note(request: web.Request) -> web.StreamResponse:
    """A note from the ärende's page (any staff member; the author is recorded)."""
    try:
        number = normalise_diarienummer(request.match_info["number"])
    except ValueError as exc:
        return render(request, "error.html", status=404, error=str(exc))
    error = await _write(request, number)
    return _answer(request, error, f"/console/cases/{number}")


async def add_conversation_note(request: web.Request) -> web.StreamResponse:
    """A note from the live conversation, by the kommunvägledare handling it."""
    console, me = state(request), account(request)
    try:
        handover_id = int(request.match_info["id"])
    except ValueError:
        return render(request, "error.html", status=404, error="Samtalet finns inte.")
    try:
        info = await asyncio.to_thread(console.handover.require_owner, handover_id, me.username)
    except HandoverNotFound as exc:
        return render(request, "error.html", status=404, error=str(exc))
    except HandoverError as exc:
        return render(request, "error.html", status=403, error=str(exc))
    if not info.diarienummer:
        error = "Samtalet har inget ärende ännu; försök igen om en stund."
    else:
        error = await _write(request, info.diarienummer)
    return _answer(request, error, f"/console/handover/{info.id}")
