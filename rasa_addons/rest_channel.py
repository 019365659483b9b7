"""Rasa's REST channel with the residents' checks (rasa_addons.resident_gate).

credentials.yml::

    rasa_addons.rest_channel.RestInput:

``name()`` stays "rest", so the URL is still ``/webhooks/rest/webhook``. Differences from
the stock channel, each a reproduced fault:

* A body that is not a JSON object (array, empty, not JSON), a missing, empty or invalid
  sender, or a message that is not text gets HTTP 400 with a Swedish explanation instead
  of a 500 or a shared "default" conversation.
* Ids of the form the web chat issues (32 hex digits) belong to socket.io conversations
  and are refused here, so nobody can write into a resident's web chat over REST.
* The resident cannot choose ``input_channel`` or set staff-side metadata.
* Floods are refused with HTTP 429 and a Swedish "försök igen om en stund" (the address
  is the peer, or X-Forwarded-For from KC_TRUSTED_PROXIES only); a failure
  inside Rasa gives HTTP 503 and a Swedish apology, never ``[]`` for a lost message.
* Error log lines never contain the message text (personal data).
* An optional ``kc_delivery`` id (kontaktcenter.delivery) makes a retry safe: a POST
  repeated after a timeout is stored once and gets the answers given the first time.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as StockRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kontaktcenter.client_address import (
    HEADER,
    TrustedProxies,
    client_address,
    trusted_proxies_from_env,
)
from kontaktcenter.conversation_token import CONVERSATION_ID
from kontaktcenter.delivery import DELIVERY_KEY, delivery_id
from kontaktcenter.flood import FloodGuard, FloodLimits
from kontaktcenter.input_check import (
    BAD_BODY_REFUSED,
    FLOOD_REFUSED,
    NOT_TEXT_REFUSED,
    SENDER_TAKEN_REFUSED,
    resident_metadata,
    sender_problem,
)
from rasa_addons.resident_gate import Refusal, checked_text, parse_override

logger = logging.getLogger(__name__)

FAILED_REPLY = (
    "Något gick fel när ditt meddelande skulle tas emot. Försök igen om en stund."
)
PAUSED_REPLY = "Ditt meddelande är sparat i ärendet, och en kommunvägledare läser det."


def _refuse(refusal: Refusal, sender: str | None = None) -> HTTPResponse:
    """The refusal as a bot-style reply, so simple clients show it like any answer."""
    return response.json(
        [{"recipient_id": sender or "", "text": refusal.text}], status=refusal.status
    )


async def _no_reply_text(request: Request, sender: str) -> str:
    try:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
    except Exception:  # the store is down: the generic "try again" is the honest answer
        tracker = None
    if tracker is not None and tracker.is_paused():
        return PAUSED_REPLY
    return FAILED_REPLY


def read_body(raw: bytes) -> dict[str, Any] | Refusal:
    """The request body as a JSON object, or a refusal."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return Refusal(400, BAD_BODY_REFUSED)
    return body if isinstance(body, dict) else Refusal(400, BAD_BODY_REFUSED)


def check_sender(value: Any) -> str | Refusal:
    problem = sender_problem(value)
    if problem is not None:
        return Refusal(400, problem)
    if CONVERSATION_ID.fullmatch(value):
        return Refusal(403, SENDER_TAKEN_REFUSED)
    return value


def request_address(request: Request, trusted: TrustedProxies) -> str | None:
    """The client's address: the peer, or X-Forwarded-For from a trusted proxy only."""
    try:
        peer = request.ip or None
    except Exception:  # pragma: no cover - sanic without transport info
        peer = None
    return client_address(peer, request.headers.getall(HEADER, []), trusted)


class RestInput(StockRestInput):
    """REST channel that refuses what would be lost, merged or misread."""

    def __init__(
        self, flood: FloodGuard | None = None, trusted_proxies: TrustedProxies | None = None
    ) -> None:
        self.flood = flood or FloodGuard(FloodLimits.from_env())
        self.trusted_proxies = (
            trusted_proxies_from_env() if trusted_proxies is None else trusted_proxies
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("kc_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = read_body(request.body)
            if isinstance(body, Refusal):
                return _refuse(body)
            sender = check_sender(body.get("sender"))
            if isinstance(sender, Refusal):
                return _refuse(sender)
            text = checked_text(body.get("message"))
            if isinstance(text, Refusal):
                # Empty or too long: the resident's message is answered (200), in the
                # channel's own reply format, so every client shows the Swedish reason.
                status = text.status if text.text == NOT_TEXT_REFUSED else 200
                return _refuse(Refusal(status, text.text), sender)
            if not self.flood.admit(sender, request_address(request, self.trusted_proxies)):
                return _refuse(Refusal(429, FLOOD_REFUSED), sender)
            try:
                return await self._handle(request, on_new_message, sender, text, body)
            finally:
                self.flood.done(sender)

        return webhook

    async def _handle(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        text: str,
        body: dict[str, Any],
    ) -> HTTPResponse:
        collector = CollectingOutputChannel()
        metadata = resident_metadata(body.get("metadata"))
        delivery = delivery_id(body.get(DELIVERY_KEY))
        if delivery:  # a retried POST with the same id is stored once, answered again
            metadata[DELIVERY_KEY] = delivery
        try:
            parse = await parse_override(request.app.ctx.agent, sender, text)
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender,
                    parse_data=parse,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
        except CancelledError:
            logger.error("REST message timed out (sender length %d)", len(sender))
            return _refuse(Refusal(503, FAILED_REPLY), sender)
        except Exception as exc:  # the text is personal data: log only the kind of failure
            logger.error("REST message failed: %s", type(exc).__name__)
            return _refuse(Refusal(503, FAILED_REPLY), sender)
        if collector.messages:
            return response.json(collector.messages)
        # No reply: the conversation is with a kommunvägledare (the bot is paused), or Rasa
        # gave up (its conversation lock). Never silence: say which.
        text = await _no_reply_text(request, sender)
        return response.json([{"recipient_id": sender, "text": text}])
