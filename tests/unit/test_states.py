"""The one state machine: a table with one owner per move, codes stored, labels shown."""

from __future__ import annotations

import pytest

from kontaktcenter.records.states import (
    LABELS,
    TRANSITIONS,
    Event,
    Owner,
    State,
    TransitionRefused,
    label,
    parse_state,
    transition,
)


def test_each_move_is_in_the_table_once_with_one_owner() -> None:
    keys = [(t.source, t.event) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    owners: dict[Event, set[Owner]] = {}
    for t in TRANSITIONS:
        owners.setdefault(t.event, set()).add(t.owner)
    assert all(len(o) == 1 for o in owners.values()), owners
    assert set(owners) == set(Event)


def test_only_the_owner_may_move_and_closed_stays_closed() -> None:
    assert transition("queued", Event.TAKE, Owner.CONSOLE).target is State.WITH_AGENT
    with pytest.raises(TransitionRefused, match="Bara konsol"):
        transition("queued", Event.TAKE, Owner.RECORDER)
    for event in Event:
        if event is not Event.DISPOSE:
            with pytest.raises(TransitionRefused):
                transition("closed", event, next(t.owner for t in TRANSITIONS
                                                 if t.event == event))
    with pytest.raises(TransitionRefused, match="tillbaka hos chattbotten"):
        transition("back_to_bot", Event.TAKE, Owner.CONSOLE)
    assert transition("back_to_bot", Event.CLOSE, Owner.CONSOLE).target is State.CLOSED


def test_codes_are_stored_and_labels_only_shown() -> None:
    assert {s.value for s in State} == {
        "open", "queued", "with_agent", "back_to_bot", "follow_up", "closed", "disposed"}
    assert set(LABELS) == set(State)
    assert label("with_agent") == "hos kommunvägledare"
    assert parse_state("avslutad") is State.CLOSED and parse_state("closed") is State.CLOSED
    with pytest.raises(ValueError, match="Okänd status"):
        parse_state("borta")


def test_one_session_length_from_the_domain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The broker closes idle ärenden after the domain's session_expiration_time."""
    from datetime import timedelta
    from pathlib import Path

    import yaml

    from kontaktcenter.records.session_length import DOMAIN, session_minutes
    from rasa_addons.event_broker import RecordsEventBroker

    domain = yaml.safe_load(Path(DOMAIN).read_text(encoding="utf-8"))
    expected = domain["session_config"]["session_expiration_time"]
    assert session_minutes() == expected
    other = tmp_path / "domain.yml"
    other.write_text("session_config:\n  session_expiration_time: 15\n", encoding="utf-8")
    assert session_minutes(other) == 15
    broker = RecordsEventBroker(url=f"sqlite:///{tmp_path / 'kc.db'}", spool_dir=tmp_path / "s")
    try:
        assert broker.recorder.idle_after == timedelta(minutes=expected)
    finally:
        broker.recorder.stop()
