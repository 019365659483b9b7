"""Server-side client of the Rasa HTTP API, used by the staff console.

The token (KC_RASA_TOKEN) stays in this process: browsers never reach the Rasa API. It
travels as a signed JWT in the ``Authorization`` header (Rasa is started with the token as
its JWT secret, rasa_addons/rasa_server.py), never in a URL that could be logged.
Agent messages are pushed to the resident's open web chat with
``execute_side_effects=true&output_channel=socketio`` (NOTES.md, "Handover in Rasa 3.6").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt

from kontaktcenter.records.rasa_events import (
    AGENT_FULL_NAME_METADATA_KEY,
    AGENT_METADATA_KEY,
    AGENT_USERNAME_METADATA_KEY,
    ChatMessage,
    current_session,
    left_conversation,
    messages_of,
)

logger = logging.getLogger(__name__)

AGENT_KEY = AGENT_METADATA_KEY  # what the widget shows: the agent's first name
# What the register stores, with the username.
AGENT_FULL_NAME_KEY = AGENT_FULL_NAME_METADATA_KEY
# Rasa gives role "admin" every API route; the name shows who called in Rasa's logs.
API_USER = {"username": "kontaktcenter-konsol", "role": "admin"}
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=3)
# The web chat channel's route for typing and queue signals (same JWT as the API).
SIGNAL_PATH = "/webhooks/socketio/kc/signal"


class RasaUnavailable(RuntimeError):
    """Rasa did not answer or refused; the message is for staff (Swedish)."""


class RasaClient:
    """One aiohttp session per process; create in an app start-up hook, close on shutdown."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        output_channel: str = "socketio",
    ) -> None:
        if not token:
            raise ValueError("KC_RASA_TOKEN saknas: konsolen kan inte nå Rasa utan token.")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self.output_channel = output_channel
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never print the token
        return f"RasaClient({self.base_url!r})"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _call(
        self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        try:
            async with self._http().request(
                method, f"{self.base_url}{path}", params=params or {}, json=body,
                headers=self._auth_header(),
            ) as response:
                if response.status >= 400:
                    detail = (await response.text())[:300]
                    logger.warning("Rasa API %s %s: %s %s", method, path, response.status, detail)
                    raise RasaUnavailable(
                        f"Chattbotten svarade med fel ({response.status}). Försök igen."
                    )
                if response.content_type == "application/json":
                    return await response.json()
                return await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("Rasa API %s %s failed: %s", method, path, exc)
            raise RasaUnavailable("Chattbotten går inte att nå just nu. Försök igen.") from exc

    def _auth_header(self) -> dict[str, str]:
        """Bearer JWT signed with the token (HS256). No expiry: it lives only in this
        process and is exactly as powerful as the token itself."""
        signed = jwt.encode({"user": API_USER}, self._token, algorithm="HS256")
        return {"Authorization": f"Bearer {signed}"}

    @staticmethod
    def _conversation(conversation_id: str) -> str:
        return "/conversations/" + quote(conversation_id, safe="")

    async def post_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, push: bool = False
    ) -> Any:
        """Append events; ``push`` also sends bot messages to the resident's channel."""
        params = (
            {"execute_side_effects": "true", "output_channel": self.output_channel}
            if push
            else {}
        )
        path = self._conversation(conversation_id) + "/tracker/events"
        return await self._call("POST", path, params, events)

    async def send_agent_message(
        self,
        conversation_id: str,
        text: str,
        agent_name: str,
        *,
        full_name: str | None = None,
        username: str | None = None,
        closing: bool = False,
    ) -> None:
        """Push a kommunvägledare's message; the register records it under the full name
        and username, the resident sees ``agent_name``.

        The widget's channel (rasa_addons/socketio_channel.py) forwards
        ``metadata.kc_agent`` as ``{"text", "kc_agent"}``; stock socket.io would drop it.
        """
        metadata: dict[str, Any] = {AGENT_KEY: agent_name}
        if full_name:
            metadata[AGENT_FULL_NAME_KEY] = full_name
        if username:
            metadata[AGENT_USERNAME_METADATA_KEY] = username
        if closing:
            metadata["kc_closed"] = True
        await self.post_events(
            conversation_id, [{"event": "bot", "text": text, "metadata": metadata}], push=True
        )

    async def say_as_bot(
        self, conversation_id: str, text: str, buttons: list[dict[str, str]] | None = None
    ) -> None:
        """A bot message (recorded as chattbot) pushed to the resident."""
        event: dict[str, Any] = {"event": "bot", "text": text}
        if buttons:
            event["data"] = {"buttons": buttons}
        await self.post_events(conversation_id, [event], push=True)

    async def resume(self, conversation_id: str) -> None:
        """Un-pause; the logged ``action_listen`` lets the next message be answered.

        While paused Rasa logs no action after the resident's messages, so without it the
        policies would see a user turn that never followed a listen and only listen.
        """
        await self.post_events(
            conversation_id,
            [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )

    async def signal(self, conversation_id: str, **what: dict[str, Any]) -> None:
        """Typing (``typing={"agent": "Anna"}``) or queue place (``queue={"place": 2}``)
        to the resident's open web chat; the socket channel's route emits it to that
        conversation only (rasa_addons/socketio_channel.py). Nothing is recorded."""
        await self._call("POST", SIGNAL_PATH, None, {"conversation_id": conversation_id, **what})

    async def conversation(self, conversation_id: str) -> LiveConversation:
        """The current session's messages as register events, and whether the resident
        has left ("Avsluta och rensa samtalet" restarts the conversation)."""
        tracker = await self._call(
            "GET", self._conversation(conversation_id) + "/tracker", {"include_events": "ALL"}
        )
        events = list((tracker or {}).get("events") or []) if isinstance(tracker, dict) else []
        current = current_session(events)
        return LiveConversation(messages_of(current, conversation_id), left_conversation(current))


@dataclass(frozen=True)
class LiveConversation:
    messages: list[ChatMessage] = field(default_factory=list)
    resident_left: bool = False
