"""Session start: open the ärende. The widget shows the public-record notice itself."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import clock

logger = logging.getLogger(__name__)

# Carries the diarienummer to the web chat (pushed, no polling): as ``custom`` JSON it
# reaches socket.io clients as a ``bot_uttered`` event ``{"custom": {"kc_case": ...}}``
# (event metadata is not forwarded by Rasa's channels). The widget shows the notice once,
# before the first message, so the bot sends no notice text of its own (issue 13).
CASE_METADATA_KEY = "kc_case"
WEB_CHAT_CHANNEL = "socketio"
WEB_CHAT_KEY = "kc_web_chat"  # set by rasa_addons.socketio_channel on every web-chat message


class ActionSessionStart(Action):
    """Starts a session (a new ärende) and opens its ärende at once.

    Rasa re-stamps the returned events, so the ärende is opened as the session's pending
    ärende, which the broker's ``session_started`` then takes over (one ärende per session).
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        started = clock.rasa_timestamp()  # Rasa's event clock: events sort among Rasa's
        number = None
        try:
            # In a thread: the register's write may wait for SQLite's lock, and the action
            # server's event loop serves every other resident meanwhile.
            case = await asyncio.to_thread(
                services.register().open_session_case,
                tracker.sender_id, _utc(started), tracker.get_latest_input_channel() or None,
            )
            number = case.diarienummer
        except Exception:  # the register must never stop the chat; the broker opens it
            logger.exception("Could not open the ärende at session start")
        events: list[dict[str, Any]] = [SessionStarted(timestamp=started)]
        if number and _from_web_chat(tracker):
            events.append(BotUttered(
                text=None,
                data={"custom": {CASE_METADATA_KEY: number}},
                metadata={CASE_METADATA_KEY: number},
                timestamp=started + 0.000001,
            ))
        return [*events, ActionExecuted("action_listen")]


def _from_web_chat(tracker: Tracker) -> bool:
    """The session was started by a web-chat message (Rasa has not logged it yet, so the
    channel comes from the session-start metadata; later sessions also from the tracker)."""
    metadata = tracker.get_slot("session_started_metadata") or {}
    if isinstance(metadata, dict) and metadata.get(WEB_CHAT_KEY) is True:
        return True
    return tracker.get_latest_input_channel() == WEB_CHAT_CHANNEL


def _utc(timestamp: float):  # type: ignore[no-untyped-def]
    from kontaktcenter.records.rasa_events import event_time

    return event_time({"timestamp": timestamp})
