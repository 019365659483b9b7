"""The resident's side of the web process: sample page, chat widget files, widget JSON.

Routes (see docs/widget.md):

* ``GET /``                      sample page in the city's style with the widget
* ``GET /widget/<file>``         the widget's script and style, the vendored socket.io client
* ``GET /widget/config.json``    contact facts and Rasa's public socket.io URL
* ``GET /widget/case?conversation=<id>``  ``{"diarienummer": ...}`` of that conversation

The case endpoint returns nothing but the diarienummer, and only to a caller that knows
the conversation id. Ids are issued by the socket.io channel (rasa_addons/
socketio_channel.py) as 128 random bits and only ever stored in the resident's own
browser, so knowing one is the proof of owning it; any other shape is refused.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from pathlib import Path
from string import Template

from aiohttp import web

from kontaktcenter.facts import ContactFacts, get_facts
from kontaktcenter.settings import Settings
from kontaktcenter.web.keys import SETTINGS_KEY

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
CONVERSATION_ID = re.compile(r"[0-9a-f]{32}")

# Files served under /widget/: public name -> (path in static/, content type).
WIDGET_FILES: dict[str, tuple[str, str]] = {
    "kontaktcenter-chat.js": ("kontaktcenter-chat.js", "text/javascript"),
    "kontaktcenter-chat.css": ("kontaktcenter-chat.css", "text/css"),
    "socket.io.min.js": ("vendor/socket.io.min.js", "text/javascript"),
    "socket.io-client.LICENSE": ("vendor/socket.io-client.LICENSE", "text/plain"),
}
PAGE_FILES: dict[str, tuple[str, str]] = {
    "site.css": ("site.css", "text/css"),
}

CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def _settings(request: web.Request) -> Settings:
    return request.app[SETTINGS_KEY]


def _facts(request: web.Request) -> ContactFacts:
    return get_facts(_settings(request).config_dir)


def widget_config(settings: Settings, facts: ContactFacts) -> dict[str, str]:
    """What the widget needs to know about this deployment (all public)."""
    return {
        "socketUrl": settings.rasa_public_url,
        "socketPath": "/socket.io",
        "contactName": facts.name,
        "phone": facts.phone,
        "phoneHref": "tel:" + facts.phone_e164,
        "privacyUrl": facts.privacy_url,
        "privacyText": facts.privacy_text,
    }


def render_page(facts: ContactFacts) -> str:
    """The sample page: static HTML, facts escaped in, no inline script or style."""
    template = Template((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    return template.substitute(
        name=html.escape(facts.name),
        phone=html.escape(facts.phone),
        phone_href=html.escape("tel:" + facts.phone_e164),
        address=html.escape(facts.address),
        city=html.escape(facts.city),
        staff_title_plural=html.escape(facts.staff_title_plural),
        privacy_url=html.escape(facts.privacy_url),
        privacy_text=html.escape(facts.privacy_text),
    )


async def page(request: web.Request) -> web.Response:
    # The app middleware adds the Content-Security-Policy (no inline script).
    headers = {"Cache-Control": "no-cache"}
    return web.Response(text=render_page(_facts(request)), content_type="text/html",
                        charset="utf-8", headers=headers)



def _file_response(files: dict[str, tuple[str, str]], name: str) -> web.FileResponse:
    entry = files.get(name)
    if entry is None:
        raise web.HTTPNotFound(text="Filen finns inte.")
    relative, content_type = entry
    return web.FileResponse(
        STATIC_DIR / relative,
        headers={"Content-Type": f"{content_type}; charset=utf-8", "Cache-Control": "no-cache"},
    )


async def widget_file(request: web.Request) -> web.FileResponse:
    return _file_response(WIDGET_FILES, request.match_info["name"])


async def page_file(request: web.Request) -> web.FileResponse:
    return _file_response(PAGE_FILES, request.match_info["name"])


async def config(request: web.Request) -> web.Response:
    return web.json_response(widget_config(_settings(request), _facts(request)),
                             headers=CORS_HEADERS)


def lookup_diarienummer(database_url: str, conversation_id: str) -> str | None:
    """The diarienummer of the conversation's latest ärende, or None."""
    from kontaktcenter.records import get_register

    case = get_register(database_url).case_for_conversation(conversation_id)
    return case.diarienummer if case else None


async def case(request: web.Request) -> web.Response:
    conversation = request.query.get("conversation", "")
    if not CONVERSATION_ID.fullmatch(conversation):
        return web.json_response(
            {"error": "Ogiltigt samtals-id."}, status=400, headers=CORS_HEADERS
        )
    try:
        number = await asyncio.to_thread(
            lookup_diarienummer, _settings(request).database_url, conversation
        )
    except Exception:
        logger.exception("register lookup failed")
        return web.json_response(
            {"error": "Ärendenumret kan inte hämtas just nu."}, status=503, headers=CORS_HEADERS
        )
    return web.json_response({"diarienummer": number}, headers=CORS_HEADERS)


def setup(app: web.Application) -> None:
    """Add the resident's routes to the web app (settings under ``SETTINGS_KEY``)."""
    app.router.add_get("/", page)
    app.router.add_get("/widget/config.json", config)
    app.router.add_get("/widget/case", case)
    app.router.add_get("/widget/{name}", widget_file)
    app.router.add_get("/assets/{name}", page_file)
