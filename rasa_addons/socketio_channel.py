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
* Conversation ids are capabilities: anyone who knows one could join its room and read
  the replies. Only server-issued ids (32 lowercase hex digits, 128 random bits) are
  accepted; anything else gets a fresh id. A socket may only send messages into the
  conversation it was confirmed for, whatever ``session_id`` the message claims.
* Browsers on the widget's origin may connect (``cors_allowed_origins``); the stock
  channel disables the origin check altogether.
* Who speaks: a staff message posted through the HTTP API with
  ``metadata: {"kc_agent": "Anna"}`` or ``data: {"custom": {"kc_agent": "Anna"}}``
  reaches the widget as ``{"text": ..., "kc_agent": "Anna"}``; ``kc_closed: true`` marks
  the conversation as closed by staff; ``kc_lang: [{"text": ..., "lang": "en"}]`` names
  the parts of the text in another language, so the widget can mark them (WCAG 3.1.2).
  The stock ``send_custom_json`` emitted custom payloads as keyword arguments and
  crashed; here they arrive as ``{"custom": {...}}``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from kontaktcenter.settings import Settings

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"[0-9a-f]{32}")
# Keys a bot message may carry for the widget, besides its text and buttons.
WIDGET_KEYS = ("kc_agent", "kc_closed", "kc_lang")
MAX_AGENT_NAME = 40
LANG_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
MAX_LANG_PARTS = 5
MAX_LANG_PART_CHARS = 500
MAX_MESSAGE_CHARS = 5000


def new_session_id() -> str:
    """A fresh, unguessable conversation id (128 random bits as hex)."""
    return uuid.uuid4().hex


def valid_session_id(value: Any) -> bool:
    """True only for ids of the form this channel issues."""
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


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
    return fields


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
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins = list(cors_allowed_origins)

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
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.cors_allowed_origins or None,
        )
        webhook = rasa_socketio.SocketBlueprint(
            sio, self.socketio_path, "socketio_webhook", __name__
        )
        self.sio = sio
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            return self._authorised(auth)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_session_id(requested) else new_session_id()
            state = await sio.get_session(sid, namespace=namespace)
            previous = state.get("session_id")
            if self.session_persistence:
                if previous and previous != session_id:
                    await sio.leave_room(sid, previous, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)
            state["session_id"] = session_id
            await sio.save_session(sid, state, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                state = await sio.get_session(sid, namespace=namespace)
                sender_id = state.get("session_id")
                if not sender_id:
                    logger.warning("socket.io message before session_request; ignored")
                    return
            else:
                sender_id = sid
            text = data.get("message")
            text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
            await on_new_message(
                UserMessage(
                    text,
                    SocketIOOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=self._metadata(data),
                )
            )

        return webhook

    def _metadata(self, data: dict[str, Any]) -> dict[str, Any]:
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return {}
        return metadata if isinstance(metadata, dict) else {}
