"""The processor add-on: a failing custom action becomes a Swedish notice, and health text."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import Action, ActionExecutionRejection
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted
from rasa.shared.exceptions import RasaException

from kontaktcenter.facts import get_facts
from kontaktcenter.records.health import health, prometheus_text
from kontaktcenter.records.recorder import RecorderStatus
from rasa_addons.processor import _GuardedAction


class Failing(Action):
    def __init__(self, name: str, error: Exception) -> None:
        self._name, self.error = name, error

    def name(self) -> str:
        return self._name

    async def run(self, *args: object) -> list:
        raise self.error


def run(action: Action) -> list:
    return asyncio.run(action.run(None, None, None, None))  # type: ignore[arg-type]


def test_a_failing_action_tells_the_resident_in_swedish() -> None:
    guarded = _GuardedAction(Failing("action_contact_answer", RasaException("connect refused")))
    events = run(guarded)
    assert guarded.failed and len(events) == 1 and isinstance(events[0], BotUttered)
    assert "tekniskt fel" in events[0].text and get_facts().phone in events[0].text


def test_a_failing_session_start_still_starts_the_session_with_the_notice() -> None:
    guarded = _GuardedAction(Failing("action_session_start", RasaException("down")))
    events = run(guarded)
    assert [type(e) for e in events] == [BotUttered, BotUttered, SessionStarted, ActionExecuted]
    assert "allmän handling" in events[0].text and "tekniskt fel" in events[1].text
    assert events[-1].action_name == "action_listen"


def test_a_rejection_is_left_to_rasa() -> None:
    guarded = _GuardedAction(Failing("action_x", ActionExecutionRejection("action_x")))
    with pytest.raises(ActionExecutionRejection):
        run(guarded)
    assert not guarded.failed


def status(**changes: object) -> RecorderStatus:
    values: dict = dict(durable=True, alive=True, spool_pending=0, in_memory=0, spooled_total=7,
                        spool_failures_total=0, lost_total=0, reconciled_total=2,
                        last_error=None)
    values.update(changes)
    return RecorderStatus(**values)


def test_health_is_503_with_a_swedish_reason_when_nothing_is_durable() -> None:
    assert health(status())[0] == 200
    code, body = health(status(durable=False, in_memory=3, last_error="spool: disk full"))
    assert code == 503 and "avvisas" in str(body["meddelande"])
    assert health(status(alive=False))[0] == 503


def test_metrics_in_prometheus_text_format() -> None:
    text = prometheus_text(status(durable=False, spool_failures_total=4))
    assert "# TYPE kc_register_durable gauge\nkc_register_durable 0\n" in text
    assert "kc_register_spool_failures_total 4\n" in text
    assert "kc_register_reconciled_total 2\n" in text


class _Log:
    def __init__(self) -> None:
        self.steps: list[str] = []

    async def save(self, tracker: object) -> None:
        self.steps.append("saved")


def _side_effects(channel_class: type) -> list[str]:
    from rasa.core.channels.channel import OutputChannel
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_addons.processor import ResilientProcessor

    log = _Log()

    class Channel(channel_class):  # type: ignore[misc,valid-type]
        async def send_text_message(self, recipient_id: str, text: str, **kw: object) -> None:
            log.steps.append(f"sent {text}")
            if isinstance(self, OutputChannel) and hasattr(self, "messages"):
                await super().send_text_message(recipient_id, text, **kw)

    processor = ResilientProcessor.__new__(ResilientProcessor)
    processor.tracker_store = log  # type: ignore[assignment]
    tracker = DialogueStateTracker("anna", [])
    asyncio.run(processor.execute_side_effects([BotUttered("Hej!")], tracker, Channel()))
    return log.steps


def test_a_streaming_channel_gets_the_answer_only_after_it_is_saved() -> None:
    """socket.io sends at once: a server killed right after must have it on record."""
    from rasa.core.channels.channel import OutputChannel

    assert _side_effects(OutputChannel) == ["saved", "sent Hej!"]


def test_a_collecting_channel_is_not_saved_twice() -> None:
    """REST answers only after the turn's final save, so the early save is not needed."""
    from rasa.core.channels.channel import CollectingOutputChannel

    assert _side_effects(CollectingOutputChannel) == ["sent Hej!"]
