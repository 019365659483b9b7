"""Rasa's shortcuts (rasa_addons.speedups) answer exactly as Rasa's originals do."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as rasa_events
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_addons import speedups

ORIGINAL_VALIDATE = RemoteAction._validate_action_result
ORIGINAL_RESOLVE = speedups._resolve_uncached

VALID = {"events": [{"event": "slot", "name": "kc_topic", "value": "hid"},
                    {"event": "bot", "text": "Hej!"}],
         "responses": [{"text": "Hej!"}]}
INVALID = [
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"responses": "inte en lista"},
    {"events": {"event": "bot"}},
]


@pytest.fixture()
def action() -> RemoteAction:
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


def message_of(check, action: RemoteAction, result: dict) -> str | None:  # type: ignore[no-untyped-def]
    try:
        assert check(action, result) is True
    except ValidationError as error:
        return error.message
    return None


def test_the_action_server_answer_is_checked_as_rasa_checks_it(action: RemoteAction) -> None:
    assert message_of(speedups._validate_action_result, action, VALID) is None
    for result in INVALID:
        ours = message_of(speedups._validate_action_result, action, result)
        assert ours is not None and "Failed to validate Action server response" in ours
        assert ours == message_of(ORIGINAL_VALIDATE, action, result)


def test_an_answer_of_a_shape_seen_valid_is_not_validated_again(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speedups, "_valid_shapes", set())
    checked: list[dict] = []
    validator = speedups._action_response_validator()

    class Counting:
        def iter_errors(self, result: dict):  # type: ignore[no-untyped-def]
            checked.append(result)
            return validator.iter_errors(result)

    monkeypatch.setattr(speedups, "_action_response_validator", lambda: Counting())
    same_shape = {"events": [{"event": "slot", "name": "kc_date", "value": "2026-12-24"},
                             {"event": "bot", "text": "God jul!"}],
                  "responses": [{"text": "God jul!"}]}
    assert message_of(speedups._validate_action_result, action, VALID) is None
    assert message_of(speedups._validate_action_result, action, same_shape) is None
    assert len(checked) == 1
    # A different event name, key, type or length is a new shape: checked, and the
    # invalid ones still fail with Rasa's error.
    others = [
        {"events": [{"event": "slott", "name": "kc_date", "value": "x"},
                    {"event": "bot", "text": "Hej"}], "responses": [{"text": "Hej"}]},
        {"events": [{"event": "slot", "value": "x"}, {"event": "bot", "text": "Hej"}],
         "responses": [{"text": "Hej"}]},
        {"events": [{"event": "slot", "name": 5, "value": "x"}, {"event": "bot", "text": "H"}],
         "responses": [{"text": "H"}]},
        {"events": [{"event": "slot", "name": "a", "value": "x"}], "responses": [{"text": "H"}]},
    ]
    for result in others:
        ours = message_of(speedups._validate_action_result, action, result)
        assert ours == message_of(ORIGINAL_VALIDATE, action, result)
    assert len(checked) == 1 + len(others)
    assert message_of(speedups._validate_action_result, action, others[0]) is not None


def test_event_types_resolve_as_in_rasa() -> None:
    for cls in all_subclasses(Event):
        if cls.type_name != "event":
            assert speedups._resolve_by_type(cls.type_name) is ORIGINAL_RESOLVE(cls.type_name)
            assert speedups._resolve_by_type(cls.type_name) is ORIGINAL_RESOLVE(cls.type_name)
    assert speedups._resolve_by_type("user") is rasa_events.UserUttered
    assert speedups._resolve_by_type("topic") is None
    assert speedups._resolve_by_type("okänd", rasa_events.BotUttered) is rasa_events.BotUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        speedups._resolve_by_type("okänd")


def test_install_puts_every_shortcut_into_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.utils.tensorflow.models import RasaModel

    from rasa_addons import state_history, tf_predict

    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL_VALIDATE)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(ORIGINAL_RESOLVE))
    monkeypatch.setattr(Domain, "states_for_tracker_history", state_history._original)
    monkeypatch.setattr(RasaModel, "_rasa_predict", tf_predict._original)
    monkeypatch.setattr(speedups, "_installed", False)
    speedups.install()
    speedups.install()
    assert Domain.states_for_tracker_history is state_history.states_for_tracker_history
    assert RasaModel._rasa_predict is tf_predict._rasa_predict
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert Event.resolve_by_type("bot") is rasa_events.BotUttered
    deserialised = Event.from_parameters({"event": "user", "text": "hej", "parse_data": {}})
    assert isinstance(deserialised, rasa_events.UserUttered) and deserialised.text == "hej"
