"""The resident's side of the web process: sample page, chat widget files, widget JSON.

Routes (see docs/widget.md):

* ``GET /``                      sample page in the city's style with the widget
* ``GET /widget/<file>``         the widget's script and style, the vendored socket.io client
* ``GET /widget/config.json``    contact facts and Rasa's public socket.io URL
* ``POST /widget/case``          body: the conversation token -> ``{"diarienummer": ...}``
* ``POST /widget/transcript``     the resident's own copy (HTML or text) of the ärende
* ``POST /widget/satisfaction``   "Fick du hjälp?" 1–5 and a comment, once per ärende
* ``GET /tillganglighet``         the chat's tillgänglighetsredogörelse

Every resident endpoint serves only a caller holding the conversation's token: the signed
token the socket.io channel issued to the widget (kontaktcenter.conversation_token), never
a bare id (:func:`owned_conversation`). The token travels in the body, not the URL, so it
is never written to an access log. A ``text/plain`` POST is a "simple" cross-origin
request: widgets embedded elsewhere need no preflight for the case number.
"""

from __future__ import annotations

import asyncio
import html
import logging
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import web

from kontaktcenter.conversation_token import MAX_TOKEN_CHARS, ConversationTokens
from kontaktcenter.facts import ContactFacts, get_facts
from kontaktcenter.settings import Settings
from kontaktcenter.web.keys import SETTINGS_KEY

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

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
ACCESSIBILITY_PATH = "/tillganglighet"
MAX_JSON_BYTES = 8 * 1024

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
        "accessibilityUrl": settings.web_url.rstrip("/") + ACCESSIBILITY_PATH,
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


def render_accessibility(facts: ContactFacts) -> str:
    """The tillgänglighetsredogörelse, facts escaped in."""
    template = Template((STATIC_DIR / "tillganglighet.html").read_text(encoding="utf-8"))
    return template.substitute(
        name=html.escape(facts.name),
        phone=html.escape(facts.phone),
        phone_href=html.escape("tel:" + facts.phone_e164),
        address=html.escape(facts.address),
        city=html.escape(facts.city),
    )


async def accessibility(request: web.Request) -> web.Response:
    return web.Response(text=render_accessibility(_facts(request)), content_type="text/html",
                        charset="utf-8", headers={"Cache-Control": "no-cache"})


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


def _case_error(text: str, status: int) -> web.Response:
    return web.json_response({"error": text}, status=status, headers=CORS_HEADERS)


async def case(request: web.Request) -> web.Response:
    settings = _settings(request)
    if not settings.conversation_secret:
        logger.error("KC_CONVERSATION_SECRET is not set: case numbers cannot be looked up")
        return _case_error("Ärendenumret kan inte hämtas just nu.", 503)
    raw = await request.content.read(MAX_TOKEN_CHARS + 1)
    token = raw.decode("utf-8", "replace").strip() if len(raw) <= MAX_TOKEN_CHARS else ""
    conversation = ConversationTokens(settings.conversation_secret).conversation(token)
    if conversation is None:
        return _case_error("Ogiltigt samtals-id.", 400)
    try:
        number = await asyncio.to_thread(
            lookup_diarienummer, settings.database_url, conversation
        )
    except Exception:
        logger.exception("register lookup failed")
        return _case_error("Ärendenumret kan inte hämtas just nu.", 503)
    return web.json_response({"diarienummer": number}, headers=CORS_HEADERS)


def _refuse(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=CORS_HEADERS)


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; an empty dict when it is missing, too big or broken."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        return {}
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def owned_conversation(settings: Settings, body: dict[str, Any]) -> str | None:
    """The conversation the caller proves to own, or None.

    The proof (``body["conversation"]``) is the signed token the socket.io channel issued
    to this resident's widget; every resident endpoint asks here.
    """
    if not settings.conversation_secret:
        logger.error("KC_CONVERSATION_SECRET is not set: resident endpoints refuse everyone")
        return None
    return ConversationTokens(settings.conversation_secret).conversation(body.get("conversation"))


def own_transcript(database_url: str, conversation_id: str, fmt: str, authority: str
                   ) -> tuple[str, str] | None:
    """(file name, document) of the conversation's latest ärende, or None."""
    from kontaktcenter.records import get_register
    from kontaktcenter.web import transcript as formats

    register = get_register(database_url)
    case = register.case_for_conversation(conversation_id)
    detail = register.get_case(case.diarienummer) if case else None
    if detail is None:
        return None
    return formats.filename(detail, fmt), formats.render(detail, fmt, authority)


async def transcript(request: web.Request) -> web.Response:
    from kontaktcenter.web.transcript import FORMATS

    body = await _json_body(request)
    conversation = owned_conversation(_settings(request), body)
    if conversation is None:
        return _refuse("Ogiltigt samtals-id.", 400)
    fmt = body.get("format", "html")
    if fmt not in FORMATS:
        return _refuse("Välj formatet html eller text.", 400)
    try:
        found = await asyncio.to_thread(
            own_transcript, _settings(request).database_url, conversation, fmt,
            _facts(request).name,
        )
    except Exception:
        logger.exception("transcript failed")
        return _refuse("Samtalet kan inte hämtas just nu. Försök igen om en stund.", 503)
    if found is None:
        return _refuse("Det finns inget sparat samtal att ladda ner ännu.", 404)
    name, document = found
    return web.Response(
        text=document, content_type=FORMATS[fmt], charset="utf-8",
        headers={**CORS_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def save_satisfaction(database_url: str, conversation_id: str, score: object,
                      comment: object) -> str:
    from kontaktcenter.records import get_register
    from kontaktcenter.records.satisfaction import record_satisfaction

    register = get_register(database_url)
    saved = record_satisfaction(register.db, conversation_id, score, comment,
                                masker=register.masker)
    return saved.diarienummer


async def satisfaction(request: web.Request) -> web.Response:
    from kontaktcenter.records.satisfaction import AlreadyAnswered, NoCaseForConversation

    body = await _json_body(request)
    conversation = owned_conversation(_settings(request), body)
    if conversation is None:
        return _refuse("Ogiltigt samtals-id.", 400)
    try:
        number = await asyncio.to_thread(
            save_satisfaction, _settings(request).database_url, conversation,
            body.get("score"), body.get("comment"),
        )
    except ValueError as err:
        return _refuse(str(err), 400)
    except NoCaseForConversation:
        return _refuse("Det finns inget ärende för samtalet ännu.", 404)
    except AlreadyAnswered:
        return _refuse("Du har redan svarat för det här ärendet. Tack!", 409)
    except Exception:
        logger.exception("satisfaction failed")
        return _refuse("Svaret kunde inte sparas just nu. Försök igen om en stund.", 503)
    return web.json_response({"diarienummer": number}, status=201, headers=CORS_HEADERS)


async def preflight(request: web.Request) -> web.Response:
    """CORS preflight for the JSON posts from pages on other origins."""
    return web.Response(status=204, headers={
        **CORS_HEADERS,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    })


def setup(app: web.Application) -> None:
    """Add the resident's routes to the web app (settings under ``SETTINGS_KEY``)."""
    app.router.add_get("/", page)
    app.router.add_get("/widget/config.json", config)
    app.router.add_post("/widget/case", case)
    for path, handler in (("/widget/transcript", transcript),
                          ("/widget/satisfaction", satisfaction)):
        app.router.add_post(path, handler)
        app.router.add_route("OPTIONS", path, preflight)
    app.router.add_get(ACCESSIBILITY_PATH, accessibility)
    app.router.add_get("/widget/{name}", widget_file)
    app.router.add_get("/assets/{name}", page_file)
