"""Rasa's message processor, made to answer instead of falling silent.

Rasa 3.6 has three ways to leave a resident without an answer, each fixed here:

* The action server is down when a conversation starts: ``action_session_start`` fails,
  no ``session_started`` and no ``action_listen`` are logged, and every later message
  trips the circuit breaker until the session expires (60 minutes). Here a failing
  custom action says so in Swedish; a failing session start still starts the session
  (with the public-record notice), so once the action server is back the conversation
  answers.
* The circuit breaker (10 actions without a listen) stops the loop without logging
  ``action_listen``, so the next message trips it again at once. Here the loop always
  ends listening, with an apology when nothing was said.
* The register cannot keep anything (spool not writable): messages are refused with a
  Swedish explanation before Rasa stores or answers them (nothing accepted is lost).
* A message sent again by the widget after its server died (the same delivery id,
  kontaktcenter.delivery) is not handled twice: when the conversation already holds it,
  the answers given then are sent again, marked ``kc_replay``, and nothing is stored.

:func:`install` swaps this class into ``rasa.core.agent``, which builds the processor;
the records event broker calls it (the broker is created before the agent).
"""

from __future__ import annotations

import logging
from typing import Any

import rasa.core.agent
from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from kontaktcenter import answers, service_notices
from kontaktcenter.delivery import delivery_of
from kontaktcenter.facts import get_facts
from rasa_addons import speedups

logger = logging.getLogger(__name__)


class _GuardedAction(Action):
    """A custom action whose failure becomes a Swedish notice instead of silence."""

    def __init__(self, inner: Action) -> None:
        self.inner = inner
        self.failed = False

    def name(self) -> str:
        return self.inner.name()

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> list[Event]:
        try:
            return await self.inner.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as exc:
            self.failed = True
            logger.error("Custom action '%s' failed (%s); the resident is told.", self.name(), exc)
            facts = get_facts()
            notice = BotUttered(service_notices.actions_unavailable(facts))
            if self.name() != ACTION_SESSION_START_NAME:
                return [notice]
            # What actions/session.py would have done, so the session really starts.
            return [
                BotUttered(answers.record_notice(facts)),
                notice,
                SessionStarted(),
                ActionExecuted(ACTION_LISTEN_NAME),
            ]


class _AlreadyHandled(Exception):
    """The message's delivery id is already in the conversation: answer, store nothing."""

    def __init__(self, answers: list[BotUttered]) -> None:
        super().__init__("already handled")
        self.answers = answers


def answers_to(tracker: DialogueStateTracker, delivery: str) -> list[BotUttered] | None:
    """What was said after the current session's message with this delivery id.

    None when the session holds no such message (it is new); otherwise the bot and
    agent messages up to the resident's next message (possibly none)."""
    session: list[Event] = []
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        session.append(event)
    found: list[BotUttered] | None = None
    for event in reversed(session):  # oldest first
        if isinstance(event, UserUttered):
            if found is not None:
                break
            if delivery_of(event.metadata) == delivery:
                found = []
        elif found is not None and isinstance(event, BotUttered):
            found.append(event)
    return found


class ResilientProcessor(MessageProcessor):
    """MessageProcessor that refuses what cannot be kept and never stays mute."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One keep-alive client session to the action server instead of one per call.
        endpoint: EndpointConfig | None = getattr(self, "action_endpoint", None)
        self.action_endpoint = speedups.PooledEndpointConfig.wrap(endpoint)
        store = getattr(self.tracker_store, "_tracker_store", self.tracker_store)
        broker = getattr(store, "event_broker", None)
        self._records = broker if hasattr(broker, "accepting") else None
        if self._records is not None and isinstance(store, SQLTrackerStore):
            self._records.reconcile_with(store.engine.url.render_as_string(hide_password=False))

    async def handle_message(self, message: UserMessage) -> list[dict[str, Any]] | None:
        if self._records is not None and not self._records.accepting():
            logger.error("Message from a resident refused: the register is not durable.")
            channel = message.output_channel
            await channel.send_text_message(
                message.sender_id, service_notices.not_durable(get_facts())
            )
            if isinstance(channel, CollectingOutputChannel):
                return channel.messages
            return None
        try:
            return await super().handle_message(message)
        except _AlreadyHandled as done:
            return await self._answer_again(message, done.answers)

    async def log_message(
        self, message: UserMessage, should_save_tracker: bool = True
    ) -> DialogueStateTracker:
        """Rasa's log_message, except that a delivery id already in the session is refused
        (:class:`_AlreadyHandled`) before anything is logged. Rasa holds the conversation's
        lock here, so two copies of one message are never both new."""
        delivery = delivery_of(message.metadata)
        if delivery is None:
            return await super().log_message(message, should_save_tracker)
        tracker = await self.fetch_tracker_and_update_session(
            message.sender_id, message.output_channel, message.metadata
        )
        earlier = answers_to(tracker, delivery)
        if earlier is not None:
            logger.info("A message sent again was answered from the conversation.")
            raise _AlreadyHandled(earlier)
        await self._handle_message_with_tracker(message, tracker)
        if should_save_tracker:
            await self.save_tracker(tracker)
        return tracker

    async def _answer_again(
        self, message: UserMessage, earlier: list[BotUttered]
    ) -> list[dict[str, Any]] | None:
        channel = message.output_channel
        collecting = isinstance(channel, CollectingOutputChannel)
        delivery = delivery_of(message.metadata)
        for bot in earlier:
            said = bot.message()
            if not collecting:  # the widget shows it only when it has not seen the answer
                said["kc_replay"] = delivery
            await channel.send_response(message.sender_id, said)
        return channel.messages if collecting else None

    async def _run_action(
        self,
        action: Action,
        tracker: DialogueStateTracker,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        prediction: Any,
    ) -> bool:
        if not isinstance(action, RemoteAction):
            return await super()._run_action(action, tracker, output_channel, nlg, prediction)
        guarded = _GuardedAction(action)
        go_on = await super()._run_action(guarded, tracker, output_channel, nlg, prediction)
        if guarded.failed and action.name() != ACTION_SESSION_START_NAME:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            return False
        return go_on

    async def _handle_message_with_tracker(
        self, message: UserMessage, tracker: DialogueStateTracker
    ) -> None:
        """Close a turn that a dead server left open before logging the next message.

        The tracker is saved before answers are sent (below), so a server killed mid-turn
        leaves a turn without its final ``action_listen``; the policies would then only
        listen to every later message. A conversation that is not paused always waits at
        a listen when a message arrives, so the missing one is added."""
        if (
            not tracker.is_paused()
            and tracker.latest_action_name not in (ACTION_LISTEN_NAME, None)
        ):
            logger.warning("A turn interrupted by a stopped server was closed.")
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await super()._handle_message_with_tracker(message, tracker)

    async def execute_side_effects(
        self, events: list[Event], tracker: DialogueStateTracker, output_channel: OutputChannel
    ) -> None:
        """Save the tracker before the resident sees an answer.

        Rasa sends each action's messages at once and saves the tracker only when the
        whole turn is done. A server killed in between (kill -9, a crash, the OOM killer)
        had answered a question that neither the tracker nor the register holds; on a busy
        server that window is seconds long (tests/cluster: most residents of a server
        killed mid-turn). Saved first, what the resident was told is on record, and the
        turn's final save adds only the rest. A collecting channel (REST) delivers nothing
        before the turn's final save, so it skips this extra save."""
        if not isinstance(output_channel, CollectingOutputChannel) and any(
            isinstance(event, BotUttered) for event in events
        ):
            await self.save_tracker(tracker)
        await super().execute_side_effects(events, tracker, output_channel)

    async def _run_prediction_loop(
        self, output_channel: OutputChannel, tracker: DialogueStateTracker
    ) -> None:
        await super()._run_prediction_loop(output_channel, tracker)
        if not self._should_handle_message(tracker) or tracker.latest_action_name in (
            ACTION_LISTEN_NAME,
            None,
        ):
            return
        # The circuit breaker stopped the loop: listen, or every later message trips it.
        if not _said_anything_since_user(tracker):
            text = answers.fallback(get_facts())
            tracker.update(BotUttered(text))
            await self.save_tracker(tracker)  # on record before it is said (see above)
            await output_channel.send_text_message(tracker.sender_id, text)
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def _said_anything_since_user(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, UserUttered):
            return False
    return False


def install() -> None:
    """Make Rasa's agent build :class:`ResilientProcessor` (idempotent)."""
    if rasa.core.agent.MessageProcessor is not ResilientProcessor:
        rasa.core.agent.MessageProcessor = ResilientProcessor  # type: ignore[misc]
