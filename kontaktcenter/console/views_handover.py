"""Queue, take over, live transcript, reply, hand back, transfer, close."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from kontaktcenter import clock
from kontaktcenter.console.auth import account
from kontaktcenter.console.ids import id_from
from kontaktcenter.console.render import render, wants_json
from kontaktcenter.console.state import ConsoleState, state
from kontaktcenter.handover import HANDED_BACK, WITH_AGENT, HandoverError, HandoverInfo, texts
from kontaktcenter.rasa_client import AGENT_KEY, RasaUnavailable
from kontaktcenter.records import vocabulary as rv
from kontaktcenter.records.masking import Masker, masker_from_facts

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 4000


def _minutes(info: HandoverInfo, now: datetime) -> int:
    return int(info.waited(now).total_seconds() // 60)


def _queue_item(info: HandoverInfo, now: datetime) -> dict[str, Any]:
    return {
        "id": info.id,
        "diarienummer": info.diarienummer,
        "concern": info.concern or "(inget angivet ännu)",
        "waited_minutes": _minutes(info, now),
        "assigned_to_me": info.assigned_to is not None,
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
    now = clock.now_utc()
    waiting = await asyncio.to_thread(console.handover.queue, me.username)
    mine = await asyncio.to_thread(console.handover.taken_by, me.username)
    colleagues = await asyncio.to_thread(console.staff.list)
    return web.json_response({
        "queue": [_queue_item(i, now) for i in waiting],
        "mine": [_queue_item(i, now) for i in mine],
        "colleagues": [
            {"username": a.username, "name": a.display_name}
            for a in colleagues if not a.disabled and a.username != me.username
        ],
    })


async def take(request: web.Request) -> web.StreamResponse:
    console, me = state(request), account(request)
    handover_id = _handover_id(request)
    try:
        await asyncio.to_thread(console.handover.take, handover_id, me.username, me.first_name)
    except HandoverError as exc:
        return _refuse(request, exc)
    return _done(request, f"/console/handover/{handover_id}")


async def _held(request: web.Request) -> HandoverInfo:
    """The ärende in the URL, only if the logged-in person is handling it (else 403)."""
    console, me = state(request), account(request)
    try:
        return await asyncio.to_thread(
            console.handover.require_agent, _handover_id(request), me.username
        )
    except HandoverError as exc:
        raise web.HTTPForbidden(text=str(exc)) from None


async def conversation_page(request: web.Request) -> web.Response:
    try:
        info = await _held(request)
    except web.HTTPForbidden as exc:
        return render(request, "error.html", status=403, error=exc.text)
    colleagues = [
        a for a in await asyncio.to_thread(state(request).staff.list)
        if not a.disabled and a.username != account(request).username
    ]
    return render(request, "conversation.html", handover=info, colleagues=colleagues)


def transcript_entries(
    events: list[dict[str, Any]], masker: Masker | None = None
) -> list[dict[str, str]]:
    """User and bot messages of the Rasa tracker, masked, with who wrote them (for staff).

    Staff see the same masked text as the register shows: personnummer, phone numbers
    and e-mail addresses only ever in the original, read by an authorised role.
    """
    masker = masker or masker_from_facts()
    entries = []
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        agent = (event.get("metadata") or {}).get(AGENT_KEY)
        if kind == "user":
            who, role = rv.ROLE_RESIDENT, "resident"
        elif agent:
            who, role = f"{rv.ROLE_STAFF} {agent}", "staff"
        else:
            who, role = rv.ROLE_BOT, "bot"
        when = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
        shown = masker.mask(text).text
        entries.append({"who": who, "role": role, "text": shown, "at": when.isoformat()})
    return entries


async def transcript_api(request: web.Request) -> web.Response:
    try:
        info = await _held(request)
    except web.HTTPForbidden as exc:
        return web.json_response({"error": exc.text}, status=403)
    try:
        events = await state(request).rasa.events(info.conversation_id)
    except RasaUnavailable as exc:
        return web.json_response({"error": str(exc)}, status=503)
    return web.json_response(
        {"status": info.status, "messages": transcript_entries(events)}
    )


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
        await state(request).rasa.send_agent_message(
            info.conversation_id, text, account(request).first_name
        )
    except RasaUnavailable as exc:
        return _refuse(request, exc, 503)
    return _done(request, f"/console/handover/{info.id}")


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
        colleague = await asyncio.to_thread(console.staff.get, target)
        if colleague is None or colleague.disabled:
            return _refuse(request, ValueError("Den kollegan finns inte."), 400)
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
    """Close the ärende: with the agent (resident told, bot resumes) or after hand back."""
    console, me = state(request), account(request)
    handover_id = _handover_id(request)
    info = await asyncio.to_thread(console.handover.get, handover_id)
    if info.status not in (WITH_AGENT, HANDED_BACK) or info.agent_username != me.username:
        refusal = HandoverError("Bara den som hanterar ärendet kan avsluta det.")
        return _refuse(request, refusal, 403)
    if info.status == WITH_AGENT:
        try:
            await console.rasa.resume(info.conversation_id)
            await console.rasa.send_agent_message(
                info.conversation_id, texts.CLOSED_BY_AGENT, me.first_name, closing=True
            )
        except RasaUnavailable as exc:
            return _refuse(request, exc, 503)
    await asyncio.to_thread(console.handover.close, info.id, me.username)
    if info.diarienummer:
        await asyncio.sleep(0.5)  # let the register record the last messages first
        try:
            await asyncio.to_thread(
                console.register.set_status, info.diarienummer, rv.STATUS_CLOSED,
                by=me.username, handled_by=me.first_name, reason="avslutat i konsolen",
            )
        except Exception:
            logger.exception("Could not close case %s in the register", info.diarienummer)
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
