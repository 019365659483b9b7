"""Rasa's socket.io channel, fixed for the resident's web chat widget.

credentials.yml::

    rasa_addons.socketio_channel.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      cors_allowed_origins: ["http://localhost:8080"]   # plus the origin of KC_WEB_URL

Why a subclass (it keeps ``name() == "socketio"``, so ``output_channel=socketio`` in the
HTTP API still finds it):

* Session persistence: python-socketio >= 5.10 made ``enter_room`` a coroutine and Rasa
  3.6 does not await it, so no bot message ever reached a persistent session
  (RasaHQ/rasa#13027). Here it is awaited.
* Conversation ids are capabilities, so a socket owns a conversation only by presenting
  the signed token this channel issued for it (kontaktcenter.conversation_token, HMAC
  with KC_CONVERSATION_SECRET): ``session_confirm`` carries the token, the widget keeps
  it and sends it back as ``session_id``. A bare id, or anything else, gets a fresh
  conversation. A socket may only send into the conversation it was confirmed for,
  whatever ``session_id`` a message claims.
* Residents' messages pass the same checks as REST (rasa_addons.resident_gate): one
  length limit, text is text (no forged ``/intent``), no staff-side metadata, flood
  limits per conversation and address (X-Forwarded-For only from KC_TRUSTED_PROXIES,
  kontaktcenter.client_address); refusals are said to the resident.
* Browsers on the widget's origin may connect (``cors_allowed_origins``); the stock
  channel disables the origin check altogether.
* Who speaks: a staff message posted through the HTTP API with
  ``metadata: {"kc_agent": "Anna"}`` or ``data: {"custom": {"kc_agent": "Anna"}}``
  reaches the widget as ``{"text": ..., "kc_agent": "Anna"}``; ``kc_closed: true`` marks
  the conversation as closed by staff; ``kc_lang: [{"text": ..., "lang": "en"}]`` names
  the parts of the text in another language, so the widget can mark them (WCAG 3.1.2).
  The stock ``send_custom_json`` emitted custom payloads as keyword arguments and
  crashed; here they arrive as ``{"custom": {...}}``.
* Typing and queue place (kontaktcenter.desk.typing): the widget's ``kc_typing`` marks
  the resident as typing for the agent (throttled, only for a chat with an agent); a
  socket that asks for a fresh conversation after having one ("Avsluta och rensa
  samtalet") marks the old one as left, so its agent is told; the
  console posts ``POST /webhooks/socketio/kc/signal`` (the Rasa API's own JWT, role
  admin, signed with KC_RASA_TOKEN) and the channel emits ``kc_typing`` or ``kc_queue``
  to that conversation's room, through the server's room emit (a client manager such as
  Redis carries it to the right server). Signals carry no text.
* Nothing accepted is lost, nothing is kept twice: the widget sends each message with a
  delivery id (``kc_delivery``, kontaktcenter.delivery) and asks for an acknowledgement,
  which comes only after the turn is saved. A message whose server died before that is
  sent again after the reconnection, with the same id; the processor answers a copy it
  already holds from the conversation (``kc_replay``) and the register keeps it once.
* Several Rasa servers: with ``KC_SOCKETIO_REDIS_URL`` set, emits go through python-socketio's
  ``AsyncRedisManager`` (pub/sub channel ``KC_SOCKETIO_CHANNEL``), so a staff message posted
  to any server reaches the resident's socket on whichever server holds it. Unset: one
  process, no Redis (the embedded default).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import jwt
from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from kontaktcenter.client_address import (
    HEADER,
    TrustedProxies,
    client_address,
    trusted_proxies_from_env,
)
from kontaktcenter.conversation_token import ConversationTokens
from kontaktcenter.delivery import DELIVERY_KEY, delivery_id
from kontaktcenter.desk.typing import ResidentSignals, signal
from kontaktcenter.flood import FloodGuard, FloodLimits
from kontaktcenter.input_check import FLOOD_REFUSED, NOT_TEXT_REFUSED, resident_metadata
from kontaktcenter.settings import Settings
from rasa_addons.resident_gate import Refusal, checked_text, parse_override

logger = logging.getLogger(__name__)

# Keys a bot message may carry for the widget, besides its text and buttons.
WIDGET_KEYS = ("kc_agent", "kc_closed", "kc_lang", "kc_replay")
WEB_CHAT_KEY = "kc_web_chat"  # message metadata: sent through the web chat (this channel)
MAX_AGENT_NAME = 40
LANG_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
MAX_LANG_PARTS = 5
MAX_LANG_PART_CHARS = 500
NO_SESSION_REFUSED = (
    "Chatten är inte ansluten ännu, så meddelandet skickades inte. Ladda om sidan och försök igen."
)
FAILED_REPLY = "Något gick fel när ditt meddelande skulle tas emot. Försök igen om en stund."
# Acknowledgements of a resident's message: answered; refused (said why); failed (said so).
ACK_OK, ACK_REFUSED, ACK_FAILED = "ok", "refused", "failed"
REDIS_URL_ENV = "KC_SOCKETIO_REDIS_URL"
CHANNEL_ENV = "KC_SOCKETIO_CHANNEL"
DEFAULT_CHANNEL = "kontaktcenter-socketio"


def client_manager(env: dict[str, str] | None = None) -> AsyncRedisManager | None:
    """The cross-server client manager when KC_SOCKETIO_REDIS_URL is set, else None.

    Emits to a room (the conversation id) are published on Redis and every server emits
    them to its own sockets: without this, only the server the API call landed on would
    push. The channel name keeps two installations on one Redis apart (pub/sub channels
    are not per database)."""
    env = dict(os.environ if env is None else env)
    url = env.get(REDIS_URL_ENV, "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"{REDIS_URL_ENV} ska vara en redis://-adress, inte {url!r}.")
    channel = env.get(CHANNEL_ENV, "").strip() or DEFAULT_CHANNEL
    return AsyncRedisManager(url, channel=channel, logger=logger)


def widget_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The speaker/closing fields of a bot message, cleaned for the widget."""
    fields: dict[str, Any] = {}
    agent = values.get("kc_agent")
    if isinstance(agent, str) and agent.strip():
        fields["kc_agent"] = " ".join(agent.split())[:MAX_AGENT_NAME]
    if values.get("kc_closed") is True:
        fields["kc_closed"] = True
    # Parts of the text in another language: [{"text": ..., "lang": "en"}] (WCAG 3.1.2).
    parts = values.get("kc_lang")
    if isinstance(parts, list):
        clean = [
            {"text": p["text"], "lang": p["lang"]}
            for p in parts[:MAX_LANG_PARTS]
            if isinstance(p, dict) and isinstance(p.get("text"), str)
            and 0 < len(p["text"]) <= MAX_LANG_PART_CHARS
            and isinstance(p.get("lang"), str) and LANG_TAG.fullmatch(p["lang"])
        ]
        if clean:
            fields["kc_lang"] = clean
    # An answer sent again for a message sent again (rasa_addons/processor.py).
    replay = delivery_id(values.get("kc_replay"))
    if replay:
        fields["kc_replay"] = replay
    return fields


def console_authorised(header: str | None, secret: str | None) -> bool:
    """A bearer JWT of the Rasa API's admin role, signed with the API token (HS256)."""
    if not secret or not header or not header.startswith("Bearer "):
        return False
    try:
        payload = jwt.decode(header[len("Bearer "):], secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    user = payload.get("user") if isinstance(payload, dict) else None
    return isinstance(user, dict) and user.get("role") == "admin"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, or None when it is not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allowed_origins(configured: Any, web_url: str | None) -> list[str]:
    """Origins from credentials plus the web app's own origin (KC_WEB_URL)."""
    if isinstance(configured, str):
        configured = [configured]
    origins: list[str] = []
    for item in [*(configured or []), web_url or ""]:
        origin = origin_of(str(item)) if item else None
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def connect_address(environ: dict[str, Any], trusted: TrustedProxies) -> str | None:
    """The client's address at connect: the peer, or X-Forwarded-For from a trusted proxy."""
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
    headers = getattr(request, "headers", None)
    if headers is not None and hasattr(headers, "getall"):
        forwarded = list(headers.getall(HEADER, []))
    else:
        forwarded = [environ["HTTP_X_FORWARDED_FOR"]] if "HTTP_X_FORWARDED_FOR" in environ else []
    return client_address(peer, forwarded, trusted)


class SocketIOOutput(rasa_socketio.SocketIOOutput):
    """Emits bot messages with the widget's speaker fields; custom JSON as one payload."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        message = dict(message)
        custom = message.get("custom")
        if isinstance(custom, dict) and (message.get("text") or message.get("buttons")
                                         or message.get("quick_replies")):
            # Speaker fields travel with the text instead of as a separate payload.
            message.update(widget_fields(custom))
            rest = {k: v for k, v in custom.items() if k not in WIDGET_KEYS}
            if rest:
                message["custom"] = rest
            else:
                message.pop("custom")
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        extra = widget_fields(kwargs)
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, **extra})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        extra = widget_fields(kwargs)
        parts = text.strip().split("\n\n") or [text]
        replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]}
            for b in buttons
        ]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await self._send_message(
                recipient_id, {"text": part, "quick_replies": replies if last else [], **extra}
            )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(rasa_socketio.SocketIOInput):
    """The socket.io input channel with working, safe session persistence."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        web_url = Settings.from_env().web_url
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=allowed_origins(
                credentials.get("cors_allowed_origins"), web_url
            ),
        )

    def __init__(
        self,
        *args: Any,
        cors_allowed_origins: Iterable[str] = (),
        tokens: ConversationTokens | None = None,
        flood: FloodGuard | None = None,
        trusted_proxies: TrustedProxies | None = None,
        residents: ResidentSignals | None = None,
        console_secret: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins = list(cors_allowed_origins)
        self.tokens = tokens or ConversationTokens.from_env()
        self.flood = flood or FloodGuard(FloodLimits.from_env())
        self.trusted_proxies = (
            trusted_proxies_from_env() if trusted_proxies is None else trusted_proxies
        )
        self.residents = residents or ResidentSignals()
        # The Rasa API token (rasa_addons/rasa_server.py): only the console knows it.
        self.console_secret = (
            console_secret if console_secret is not None else os.environ.get("KC_RASA_TOKEN")
        )

    def get_output_channel(self) -> SocketIOOutput | None:
        base = super().get_output_channel()
        if base is None or self.sio is None:
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def _authorised(self, auth: dict[str, Any] | None) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # An empty list would switch the origin check off; never allow that silently.
        manager = client_manager()
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.cors_allowed_origins or None,
            **({"client_manager": manager} if manager is not None else {}),
        )
        webhook = rasa_socketio.SocketBlueprint(
            sio, self.socketio_path, "socketio_webhook", __name__
        )
        self.sio = sio
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/kc/signal", methods=["POST"])
        async def console_signal(request: Request) -> HTTPResponse:
            """Typing or queue place from the console, to one conversation's widget."""
            if not console_authorised(request.headers.get("Authorization"),
                                      self.console_secret):
                return response.json({"error": "unauthorised"}, status=401)
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            return await self.emit_signal(body)

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            if not self._authorised(auth):
                return False
            request = environ.get("sanic.request")
            state = {
                "app": getattr(request, "app", None),
                "address": connect_address(environ, self.trusted_proxies),
            }
            await sio.save_session(sid, state, namespace=namespace)
            return True

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            presented = data.get("session_id") if isinstance(data, dict) else None
            session_id = self.tokens.conversation(presented)
            if session_id is None:
                session_id = self.tokens.new_conversation_id()
            state = await sio.get_session(sid, namespace=namespace)
            previous = state.get("session_id")
            if previous and presented is None:  # "Avsluta och rensa": the resident left
                await self._resident_left(previous)
            if self.session_persistence:
                if previous and previous != session_id:
                    await sio.leave_room(sid, previous, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)
            state["session_id"] = session_id
            await sio.save_session(sid, state, namespace=namespace)
            await sio.emit(
                "session_confirm", self.tokens.issue(session_id), room=sid, namespace=namespace
            )

        @sio.on("kc_typing", namespace=namespace)
        async def resident_typing(sid: str, data: Any = None) -> None:
            state = await sio.get_session(sid, namespace=namespace)
            conversation = state.get("session_id") if self.session_persistence else sid
            if not conversation or not self.residents.due(conversation):
                return
            try:
                await asyncio.to_thread(self.residents.record, conversation)
            except Exception as exc:  # an indicator is never worth an error to the resident
                logger.warning("Typing could not be recorded: %s", type(exc).__name__)

        async def tell(sid: str, refusal: Refusal) -> None:
            await sio.emit(self.bot_message_evt, {"text": refusal.text}, room=sid,
                           namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> str:
            """The acknowledgement (when the widget asks for one) comes once the message
            is answered or refused: "ok" after the turn is saved, so a message without it
            is sent again after a reconnection, with the same delivery id."""
            if not isinstance(data, dict):
                await tell(sid, Refusal(400, NOT_TEXT_REFUSED))
                return ACK_REFUSED
            state = await sio.get_session(sid, namespace=namespace)
            if self.session_persistence:
                sender_id = state.get("session_id")
                if not sender_id:  # no conversation yet: say so rather than drop it
                    logger.warning("socket.io message before session_request; refused")
                    await tell(sid, Refusal(409, NO_SESSION_REFUSED))
                    return ACK_REFUSED
            else:
                sender_id = sid
            text = checked_text(data.get("message"))
            if isinstance(text, Refusal):
                await tell(sid, text)
                return ACK_REFUSED
            if not self.flood.admit(sender_id, state.get("address")):
                await tell(sid, Refusal(429, FLOOD_REFUSED))
                return ACK_REFUSED
            metadata = {**resident_metadata(self._metadata(data)), WEB_CHAT_KEY: True}
            delivery = delivery_id(data.get(DELIVERY_KEY))
            if delivery:
                metadata[DELIVERY_KEY] = delivery
            try:
                app = state.get("app")
                agent = getattr(getattr(app, "ctx", None), "agent", None)
                await on_new_message(
                    UserMessage(
                        text,
                        SocketIOOutput(sio, self.bot_message_evt),
                        sender_id,
                        parse_data=await parse_override(agent, sender_id, text),
                        input_channel=self.name(),
                        # Set here, after residents' kc_* keys were dropped: the session
                        # start knows the web chat (it pushes the case number to it).
                        metadata=metadata,
                    )
                )
            except Exception as exc:  # the text is personal data: log only the kind
                logger.error("socket.io message failed: %s", type(exc).__name__)
                await tell(sid, Refusal(503, FAILED_REPLY))
                return ACK_FAILED
            finally:
                self.flood.done(sender_id)
            return ACK_OK

        return webhook

    async def _resident_left(self, conversation_id: str) -> None:
        try:
            await asyncio.to_thread(self.residents.left, conversation_id)
        except Exception as exc:  # the new conversation must start regardless
            logger.warning("Leaving could not be recorded: %s", type(exc).__name__)

    async def emit_signal(self, body: Any) -> HTTPResponse:
        """Emit a checked console signal to its conversation's room (400 if invalid)."""
        checked = signal(body)
        if checked is None or self.sio is None:
            return response.json({"error": "invalid signal"}, status=400)
        conversation, event, payload = checked
        await self.sio.emit(event, payload, room=conversation, namespace=self.namespace)
        return response.json({"ok": True})

    def _metadata(self, data: dict[str, Any]) -> dict[str, Any]:
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return {}
        return metadata if isinstance(metadata, dict) else {}
