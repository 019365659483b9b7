"""rasa_addons.state_history gives exactly Rasa's dialogue states, also as a tracker grows.

Every story and rule of the project's training data is replayed event by event; after
each event the states are compared with Rasa's own ``Domain.states_for_tracker_history``
for every argument set the policies use, also after reverts, restarts and new sessions
that undo what was replayed.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from rasa_addons import state_history

ROOT = Path(__file__).resolve().parents[2]
RULE_ONLY = {"rule_only_slots": [], "rule_only_loops": ["leave_message_form"]}
ARGUMENTS = [
    {},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
    {"ignore_rule_only_turns": False, "rule_only_data": RULE_ONLY},
    {"omit_unset_slots": True},
]


@functools.lru_cache(maxsize=1)
def training() -> tuple[Domain, list[list[Event]]]:
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=False
    ).generate()
    return domain, [list(t.events) for t in trackers]


def rasa_states(domain: Domain, tracker: DialogueStateTracker, **kwargs: object) -> list:
    return state_history._original(domain, tracker, **kwargs)  # type: ignore[arg-type]


def grow_and_compare(domain: Domain, events: list[Event]) -> int:
    tracker = DialogueStateTracker("t", domain.slots)
    compared = 0
    for event in events:
        tracker.update(event)
        for kwargs in ARGUMENTS:
            ours = state_history.states_for_tracker_history(domain, tracker, **kwargs)
            assert ours == rasa_states(domain, tracker, **kwargs), (kwargs, tracker.events)
            compared += 1
    return compared


def test_every_story_and_rule_gives_rasas_states_at_every_step() -> None:
    domain, stories = training()
    assert len(stories) > 30
    compared = sum(grow_and_compare(domain, events) for events in stories)
    assert compared > 1000


def test_hidden_rule_turns_are_left_out_like_rasa() -> None:
    """RulePolicy marks the actions it predicted for rule-only turns as hidden; the
    ML policies' states then skip them and carry the last ML action over."""
    domain, stories = training()
    compared = 0
    for seed in range(3):
        rng = random.Random(seed)
        for events in stories:
            marked = [
                ActionExecuted(e.action_name, e.policy, e.confidence, e.timestamp,
                               e.metadata, e.action_text, hide_rule_turn=rng.random() < 0.5)
                if isinstance(e, ActionExecuted) else e
                for e in events
            ]
            compared += grow_and_compare(domain, marked)
    assert compared > 3000


@pytest.mark.parametrize("undo", [
    [UserUtteranceReverted()],
    [ActionReverted()],
    [Restarted(), ActionExecuted("action_listen")],
    [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
])
def test_events_that_undo_the_history_are_followed(undo: list[Event]) -> None:
    domain, stories = training()
    longest = sorted(stories, key=len)[-3:]
    for events in longest:
        half = len(events) // 2
        grow_and_compare(domain, events[:half] + undo + events[half:])


def test_a_caller_that_edits_the_states_does_not_change_the_next_answer() -> None:
    domain, stories = training()
    tracker = DialogueStateTracker("t", domain.slots)
    for event in max(stories, key=len):
        tracker.update(event)
    first = state_history.states_for_tracker_history(domain, tracker)
    for state in first:
        state.clear()
    assert state_history.states_for_tracker_history(domain, tracker) == rasa_states(
        domain, tracker)


def test_the_replay_goes_on_from_where_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point: after one more turn only the new events are replayed."""
    domain, stories = training()
    events = max(stories, key=len)
    tracker = DialogueStateTracker("t", domain.slots)
    for event in events[:-3]:
        tracker.update(event)
    state_history.states_for_tracker_history(domain, tracker)
    replayed: list[Event] = []
    real_update = DialogueStateTracker.update

    def update(self: DialogueStateTracker, event: Event, *args: object) -> None:
        if self is not tracker:
            replayed.append(event)
        real_update(self, event, *args)

    monkeypatch.setattr(DialogueStateTracker, "update", update)
    for event in events[-3:]:
        tracker.update(event)
    ours = state_history.states_for_tracker_history(domain, tracker)
    assert replayed == events[-3:]
    monkeypatch.undo()
    assert ours == rasa_states(domain, tracker)


def test_a_user_message_with_text_only_is_handled_like_rasa() -> None:
    domain, _ = training()
    assert grow_and_compare(domain, [
        ActionExecuted("action_listen"), UserUttered("hej"),
        ActionExecuted("action_answer"), ActionExecuted("action_listen"),
    ]) == 4 * len(ARGUMENTS)


def test_a_finished_trackers_replay_is_dropped() -> None:
    import gc

    domain, stories = training()
    tracker = DialogueStateTracker("t", domain.slots)
    for event in stories[0]:
        tracker.update(event)
    state_history.states_for_tracker_history(domain, tracker)
    assert any(ref() is tracker for ref, _ in state_history._replays.values())
    kept = len(state_history._replays)
    del tracker
    gc.collect()
    assert len(state_history._replays) == kept - 1
