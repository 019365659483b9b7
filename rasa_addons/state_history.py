"""Rasa's dialogue states, computed once per conversation turn instead of per policy call.

``Domain.states_for_tracker_history`` replays the whole conversation into a fresh tracker
for every call, and one prediction calls it two or three times (MemoizationPolicy once,
RulePolicy once or twice); a message has two or more predictions, so a conversation of n
events cost O(n) replays per message, growing with every turn (docs/performance.md:
`past_states` was 11 % of a busy Rasa server). Here the replay's progress is kept per
tracker object and per argument set, and a later call on the same tracker whose applied
events extend the ones already replayed goes on from there. Anything else (a new
tracker, events undone by a revert or a restart) starts over, exactly as Rasa does.
The returned states are copies, so a caller that edits them (``_choose_last_user_input``
does) cannot change the kept ones.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import weakref
from collections import OrderedDict
from typing import Any

from rasa.shared.core import constants
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

_original = Domain.states_for_tracker_history
MAX_TRACKERS = 256  # trackers in use at once (one per message being handled)


@dataclasses.dataclass
class _Replay:
    """How far the replay got: the applied events so far, and the loop's variables."""

    domain: Domain
    events: list[Event]
    tracker: DialogueStateTracker
    states: list[State] = dataclasses.field(default_factory=list)
    last_ml_action: Any = None
    turn_was_hidden: bool = False


_replays: OrderedDict[tuple[int, Any], tuple[weakref.ref, _Replay]] = OrderedDict()
_lock = threading.Lock()  # Rasa predicts in its event loop; tests may use threads


def _forget(key: tuple[int, Any], _ref: object) -> None:
    _replays.pop(key, None)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _extends(done: list[Event], applied: list[Event]) -> bool:
    return len(done) <= len(applied) and all(a is b for a, b in zip(done, applied, strict=False))


def _state(
    domain: Domain, replay: _Replay, tracker: DialogueStateTracker, hide_rule_turn: bool,
    omit_unset_slots: bool, ignore_rule_only_turns: bool, rule_only_data: Any,
) -> State | None:
    """One step of Rasa's loop (Domain.states_for_tracker_history): the state at
    ``tracker``, or None for a hidden rule turn; updates the replay's loop variables."""
    if ignore_rule_only_turns:
        if not replay.turn_was_hidden:
            replay.last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and (
            tracker.latest_action_name != tracker.active_loop_name
        ):
            replay.turn_was_hidden = hide_rule_turn
        if replay.turn_was_hidden:
            return None
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if replay.last_ml_action:
            state[constants.PREVIOUS_ACTION] = replay.last_ml_action
    return domain._clean_state(state)


def _copy(state: State) -> State:
    return {kind: dict(sub) if isinstance(sub, dict) else sub for kind, sub in state.items()}


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Same result as Rasa's, going on from the last call on the same tracker."""
    try:
        key = (id(tracker), (omit_unset_slots, ignore_rule_only_turns, _freeze(rule_only_data)))
        hash(key)
    except TypeError:
        return _original(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = tracker.applied_events()
    with _lock:
        kept = _replays.pop(key, None)  # one user at a time
    replay = None
    if kept is not None and kept[0]() is tracker:
        replay = kept[1]
        if replay.domain is not self or not _extends(replay.events, applied):
            replay = None
    if replay is None:
        replay = _Replay(self, [], tracker.init_copy())
    for event in applied[len(replay.events):]:
        if isinstance(event, ActionExecuted):
            state = _state(self, replay, replay.tracker, event.hide_rule_turn,
                           omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            if state is not None:
                replay.states.append(state)
        replay.tracker.update(event)
    replay.events = list(applied)
    with _lock:
        # Dropped with the tracker (after a message is handled), not only when full.
        _replays[key] = (weakref.ref(tracker, functools.partial(_forget, key)), replay)
        while len(_replays) > MAX_TRACKERS:
            _replays.popitem(last=False)
    # The last state (the tracker as it is now) is not kept: the next event changes it.
    after = dataclasses.replace(replay)
    last = _state(self, after, replay.tracker, False,
                  omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    states = [_copy(state) for state in replay.states]
    if last is not None:
        states.append(last)
    return states


def install() -> None:
    """Let Rasa's policies share one replay per tracker (``_original`` is kept at import)."""
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
