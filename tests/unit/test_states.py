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
