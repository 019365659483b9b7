"""Queue, take over, live transcript, reply, hand back, transfer, close."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from kontaktcenter.clock import now_utc
from kontaktcenter.console.auth import account
from kontaktcenter.console.ids import id_from
from kontaktcenter.console.render import render, wants_json
from kontaktcenter.console.state import ConsoleState, state
from kontaktcenter.console.views_notes import desk_context, record_transfer_note
from kontaktcenter.console.views_presence import available_colleagues
from kontaktcenter.handover import (
    WITH_AGENT,
    HandoverError,
    HandoverInfo,
    HandoverNotFound,
    texts,
)
from kontaktcenter.rasa_client import RasaUnavailable
from kontaktcenter.records import vocabulary as rv
from kontaktcenter.records.masking import Masker, masker_from_facts
from kontaktcenter.records.rasa_events import AGENT, RESIDENT, ChatMessage

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 4000
LIVE_VIEW_REASON = "pågående samtal i konsolen (handläggande kommunvägledare)"


def _minutes(info: HandoverInfo, now: datetime) -> int:
    return int(info.waited(now).total_seconds() // 60)


def _queue_item(info: HandoverInfo, now: datetime, me: str) -> dict[str, Any]:
    return {
        "id": info.id,
        "diarienummer": info.diarienummer,
        "concern": info.concern or "(inget angivet ännu)",
        "waited_minutes": _minutes(info, now),
        "assigned_to_me": info.assigned_to == me,
        "resident_left": info.resident_left_at is not None,
        "assigned_to": info.assigned_to,
        "status": info.status,
        "status_label": info.status_label,
        "channel": rv.channel_label(info.channel),
    }


def _handover_id(request: web.Request) -> int:
    return id_from(request)


def _done(request: web.Request, location: str, message: str = "") -> web.StreamResponse:
    if wants_json(request):
        return web.json_response({"ok": True, "location": location, "message": message})
    raise web.HTTPSeeOther(location)


def _refuse(request: web.Request, exc: Exception, status: int = 409) -> web.Response:
    if wants_json(request):
        return web.json_response({"error": str(exc)}, status=status)
    return render(request, "error.html", status=status, error=str(exc))


async def queue_page(request: web.Request) -> web.Response:
    return render(request, "queue.html")


async def queue_api(request: web.Request) -> web.Response:
    console, me = state(request), account(request)
    now = now_utc()
    waiting = await asyncio.to_thread(console.handover.queue, me.username)
    mine = await asyncio.to_thread(console.handover.taken_by, me.username)
    colleagues = await available_colleagues(request)
    counts = await asyncio.to_thread(console.handover.resident_messages, [i.id for i in mine])
    return web.json_response({
        "queue": [_queue_item(i, now, me.username) for i in waiting],
        "mine": [{**_queue_item(i, now, me.username), "resident_messages": counts[i.id]}
                 for i in mine],
        "colleagues": [{"username": a.username, "name": a.display_name} for a in colleagues],
    })


async def take(request: web.Request) -> web.StreamResponse:
    console, me = state(request), account(request)
    handover_id = _handover_id(request)
    try:
        info = await asyncio.to_thread(
            console.handover.take, handover_id, me.username, me.display_name
        )
    except HandoverNotFound as exc:
        return _refuse(request, exc, 404)
    except HandoverError as exc:
        return _refuse(request, exc)
    try:
        await console.rasa.say_as_bot(info.conversation_id, texts.agent_joined(me.first_name))
    except RasaUnavailable:
        logger.warning("Could not tell the resident that %s was taken over", info.id)
    return _done(request, f"/console/handover/{handover_id}")


async def _held(request: web.Request, *, handed_back_too: bool = False) -> HandoverInfo:
    """The ärende in the URL, only if the logged-in person is handling it (else 403).

    ``handed_back_too``: also one the person handed back to the bot and may still close.
    """
    console, me = state(request), account(request)
    check = console.handover.require_owner if handed_back_too else console.handover.require_agent
    try:
        return await asyncio.to_thread(check, _handover_id(request), me.username)
    except HandoverNotFound as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    except HandoverError as exc:
        raise web.HTTPForbidden(text=str(exc)) from None


async def conversation_page(request: web.Request) -> web.Response:
    try:
        info = await _held(request, handed_back_too=True)
    except (web.HTTPForbidden, web.HTTPNotFound) as exc:
        return render(request, "error.html", status=exc.status, error=exc.text)
    colleagues = await available_colleagues(request)
    return render(request, "conversation.html", handover=info, colleagues=colleagues,
                  live=info.status == WITH_AGENT, **await desk_context(request, info))


def transcript_entries(
    messages: list[ChatMessage], masker: Masker | None = None, *, unmasked: bool = False
) -> list[dict[str, Any]]:
    """The live conversation for staff, with who wrote each message.

    Masked like the register, except for the kommunvägledare handling the ärende
    (``unmasked``), who needs what the resident wrote (a phone number to call back);
    each entry says whether its shown text differs from the masked one.
    """
    masker = masker or masker_from_facts()
    entries = []
    for message in messages:
        if message.author == RESIDENT:
            who, role = rv.ROLE_RESIDENT, "resident"
        elif message.author == AGENT:
            who, role = f"{rv.ROLE_STAFF} {message.agent}", "staff"
        else:
            who, role = rv.ROLE_BOT, "bot"
        masked = masker.mask(message.text)
        shown = message.text if unmasked else masked.text
        entries.append({"who": who, "role": role, "text": shown, "at": message.at.isoformat(),
                        "unmasked": unmasked and masked.changed})
    return entries


async def transcript_api(request: web.Request) -> web.Response:
    try:
        info = await _held(request, handed_back_too=True)
    except (web.HTTPForbidden, web.HTTPNotFound) as exc:
        return web.json_response({"error": exc.text}, status=exc.status)
    console, me = state(request), account(request)
    try:
        live = await console.rasa.conversation(info.conversation_id)
    except RasaUnavailable as exc:
        return web.json_response({"error": str(exc)}, status=503)
    handling = info.status == WITH_AGENT
    counts = await asyncio.to_thread(console.handover.resident_messages, [info.id])
    entries = transcript_entries(live.messages, console.register.masker, unmasked=handling)
    shown_unmasked = sum(1 for e in entries if e["unmasked"])
    if shown_unmasked and info.diarienummer:
        await asyncio.to_thread(
            console.live_audit.seen, console.register, info.diarienummer, me.username,
            me.role, shown_unmasked,
        )
    # Told by the web chat's socket (handovers.resident_left_at) or seen as a restart.
    left = live.resident_left or info.resident_left_at is not None
    return web.json_response({
        "status": info.status,
        "status_label": info.status_label,
        "resident_left": left,
        "notice": texts.RESIDENT_LEFT if left else "",
        "messages": entries,
        # For the unread marks: the register's count, as in /console/api/queue.
        "resident_messages": counts[info.id],
    })


async def reply(request: web.Request) -> web.StreamResponse:
    try:
        info = await _held(request)
    except web.HTTPForbidden as exc:
        return _refuse(request, Exception(exc.text), 403)
    form = await request.post()
    text = str(form.get("text") or "").strip()
    if not text:
        return _refuse(request, ValueError("Skriv ett svar först."), 400)
    if len(text) > MAX_REPLY_CHARS:
        too_long = f"Svaret är för långt (högst {MAX_REPLY_CHARS} tecken)."
        return _refuse(request, ValueError(too_long), 400)
    try:
        me = account(request)
        await state(request).rasa.send_agent_message(
            info.conversation_id, text, me.first_name, full_name=me.display_name,
            username=me.username,
        )
    except RasaUnavailable as exc:
        return _refuse(request, exc, 503)
    return _done(request, f"/console/handover/{info.id}")


async def typing(request: web.Request) -> web.Response:
    """The agent is typing: the resident's web chat shows "Anna skriver …" (no text sent).

    The console sends this at most every couple of seconds while the reply box changes.
    """
    try:
        info = await _held(request)
    except (web.HTTPForbidden, web.HTTPNotFound) as exc:
        return web.json_response({"error": exc.text}, status=exc.status)
    try:
        await state(request).rasa.signal(
            info.conversation_id, typing={"agent": account(request).first_name})
    except RasaUnavailable as exc:
        return web.json_response({"error": str(exc)}, status=503)
    return web.json_response({"ok": True})


async def _resume_with(console: ConsoleState, conversation_id: str, text: str,
                       buttons: list[dict[str, str]] | None = None) -> None:
    await console.rasa.resume(conversation_id)
    await console.rasa.say_as_bot(conversation_id, text, buttons)


async def hand_back(request: web.Request) -> web.StreamResponse:
    info, console = await _held(request), state(request)
    try:
        await _resume_with(console, info.conversation_id, texts.HANDED_BACK)
    except RasaUnavailable as exc:
        return _refuse(request, exc, 503)
    await asyncio.to_thread(console.handover.hand_back, info.id, account(request).username)
    return _done(request, "/console", "Samtalet är tillbaka hos chattbotten.")


async def transfer(request: web.Request) -> web.StreamResponse:
    info, console = await _held(request), state(request)
    form = await request.post()
    target = str(form.get("to") or "").strip() or None
    if target is not None:
        allowed = await available_colleagues(request)
        if target not in {a.username for a in allowed}:
            return _refuse(request, ValueError("Den kollegan kan inte ta emot samtal nu."), 400)
    try:
        await record_transfer_note(request, info, str(form.get("note") or ""))
    except ValueError as exc:
        return _refuse(request, exc, 400)
    try:
        await asyncio.to_thread(
            console.handover.transfer, info.id, account(request).username, target
        )
    except HandoverError as exc:
        return _refuse(request, exc)
    try:
        await console.rasa.say_as_bot(info.conversation_id, texts.TRANSFERRED)
    except RasaUnavailable:
        logger.warning("Could not tell the resident about the transfer of %s", info.id)
    return _done(request, "/console", "Ärendet är överlämnat.")


async def close(request: web.Request) -> web.StreamResponse:
    """Close the ärende: with the agent (resident told, bot resumes) or after hand back.

    The handover and the ärende in the register close in one unit of work; the agent's
    closing words are sent first, so they are recorded in the ärende they belong to.
    """
    console, me = state(request), account(request)
    try:
        info = await _held(request, handed_back_too=True)
    except (web.HTTPForbidden, web.HTTPNotFound) as exc:
        return _refuse(request, Exception(exc.text), exc.status)
    if info.status == WITH_AGENT:
        try:
            await console.rasa.resume(info.conversation_id)
            await console.rasa.send_agent_message(
                info.conversation_id, texts.CLOSED_BY_AGENT, me.first_name,
                full_name=me.display_name, username=me.username, closing=True,
            )
        except RasaUnavailable as exc:
            return _refuse(request, exc, 503)
    try:
        await asyncio.to_thread(console.handover.close, info.id, me.username, me.display_name)
    except HandoverError as exc:
        return _refuse(request, exc, 409)
    return _done(request, "/console", "Ärendet är avslutat.")


async def expire_waiting(console: ConsoleState) -> int:
    """Tell residents nobody could take their ärende in time; offer to leave a message."""
    expired = await asyncio.to_thread(
        console.handover.expire_waiting, console.handover_settings.timeout
    )
    for info in expired:
        try:
            await _resume_with(console, info.conversation_id, texts.TIMED_OUT, texts.OFFER_BUTTONS)
        except RasaUnavailable:
            logger.warning("Could not tell %s about the timeout", info.id)
    return len(expired)
