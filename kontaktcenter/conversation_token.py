"""Signed conversation tokens for the web chat: owning a conversation needs the token.

The socket.io channel issues ``<conversation id>.<signature>``, an HMAC-SHA256 of the id
with KC_CONVERSATION_SECRET. The widget keeps the token and presents it to resume its
conversation or to ask for its diarienummer. A bare id (which staff see, and which
used to be written to access logs) no longer proves anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets

logger = logging.getLogger(__name__)

SECRET_ENV = "KC_CONVERSATION_SECRET"  # noqa: S105 (a name, not a secret)
CONVERSATION_ID = re.compile(r"[0-9a-f]{32}")
_CONTEXT = b"kontaktcenter-conversation:"
MAX_TOKEN_CHARS = 100


class ConversationTokens:
    """Issues and checks tokens with one secret (the same for every server process)."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError(f"{SECRET_ENV} saknas.")
        self._key = secret.encode("utf-8")

    def __repr__(self) -> str:  # never print the secret
        return "ConversationTokens()"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ConversationTokens:
        """From KC_CONVERSATION_SECRET; without it a per-process secret (tokens then do
        not survive a restart and do not work across several servers: say so loudly)."""
        secret = (os.environ if env is None else env).get(SECRET_ENV, "")
        if not secret:
            logger.warning(
                "%s is not set: web chat tokens are valid only until this process stops.",
                SECRET_ENV,
            )
            secret = secrets.token_urlsafe(32)
        return cls(secret)

    @staticmethod
    def new_conversation_id() -> str:
        """128 random bits as 32 hex digits."""
        return secrets.token_hex(16)

    def _signature(self, conversation_id: str) -> str:
        digest = hmac.new(self._key, _CONTEXT + conversation_id.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def issue(self, conversation_id: str) -> str:
        if not CONVERSATION_ID.fullmatch(conversation_id):
            raise ValueError("Ogiltigt samtals-id.")
        return f"{conversation_id}.{self._signature(conversation_id)}"

    def conversation(self, token: object) -> str | None:
        """The conversation id a genuine token names, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or "." not in token:
            return None
        conversation_id, signature = token.split(".", 1)
        if not CONVERSATION_ID.fullmatch(conversation_id):
            return None
        if not hmac.compare_digest(signature, self._signature(conversation_id)):
            return None
        return conversation_id
