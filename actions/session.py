"""Session start: open the ärende, then tell the resident it is a public record."""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from kontaktcenter import answers

logger = logging.getLogger(__name__)

# Carries the diarienummer to the resident with the notice (pushed, no polling): as
# ``custom`` JSON it reaches socket.io clients as a ``bot_uttered`` event
# ``{"custom": {"kc_case": "KC-2026-000123"}}`` and REST clients as a reply
# ``{"custom": {"kc_case": ...}}``; event metadata is not forwarded by Rasa's channels.
CASE_METADATA_KEY = "kc_case"


class ActionSessionStart(Action):
    """Starts a session (a new ärende) with the notice the source text promises residents.

    The notice is returned after ``SessionStarted``, so Rasa publishes the session start
    first. The ärende is opened here, at the start, so the notice can carry its number;
    Rasa re-stamps the returned events, so it is opened as the session's pending ärende,
    which the broker's ``session_started`` then takes over (one ärende per session).
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # Rasa's event clock (not product time): messages are ordered by Rasa's times.
        started = time.time()
        metadata: dict[str, Any] = {}
        data: dict[str, Any] = {}
        try:
            case = services.register().open_session_case(
                tracker.sender_id, _utc(started), tracker.get_latest_input_channel() or None
            )
            metadata[CASE_METADATA_KEY] = case.diarienummer
            data["custom"] = {CASE_METADATA_KEY: case.diarienummer}
        except Exception:  # the register must never stop the chat; the broker opens it
            logger.exception("Could not open the ärende at session start")
        notice = BotUttered(
            text=answers.record_notice(services.facts()),
            data=data,
            metadata=metadata,
            timestamp=started + 0.000001,
        )
        return [SessionStarted(timestamp=started), notice, ActionExecuted("action_listen")]


def _utc(timestamp: float):  # type: ignore[no-untyped-def]
    from kontaktcenter.records.rasa_events import event_time

    return event_time({"timestamp": timestamp})
