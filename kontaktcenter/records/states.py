"""The one state machine of an ärende: its register status and its handover, as a table.

Stored values are the codes of :class:`State`; Swedish words exist only in
:data:`LABELS`, for display. Every move is a row of :data:`TRANSITIONS` (from-state,
event, to-state, owner) and only its owner may make it, so the Rasa actions, the
event broker, the console and the background jobs can no longer overwrite each other:
a closed ärende stays closed whatever message arrives later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class State(str, enum.Enum):
    OPEN = "open"  # the chatbot answers
    QUEUED = "queued"  # waiting for a kommunvägledare
    WITH_AGENT = "with_agent"  # a kommunvägledare answers
    BACK_TO_BOT = "back_to_bot"  # handed back; the agent may still close it
    FOLLOW_UP = "follow_up"  # a message was left; staff call or write back
    CLOSED = "closed"
    DISPOSED = "disposed"  # gallrad under the retention decision


class Event(str, enum.Enum):
    REQUEST_HUMAN = "request_human"
    TAKE = "take"
    TRANSFER = "transfer"
    HAND_BACK = "hand_back"
    CLOSE = "close"
    TIME_OUT = "time_out"
    LEAVE_MESSAGE = "leave_message"
    CALLBACK_HANDLED = "callback_handled"
    GO_IDLE = "go_idle"
    NEW_SESSION = "new_session"
    DISPOSE = "dispose"


class Owner(str, enum.Enum):
    """Who may make a move: one process role each."""

    BOT = "chattbot"  # Rasa actions
    CONSOLE = "konsol"  # a kommunvägledare in the staff console
    TIMEOUT = "kötidsgräns"  # the handover timeout job
    RECORDER = "registrering"  # the event broker's recorder (sessions, idle cases)
    DISPOSAL = "gallring"


LABELS: dict[State, str] = {
    State.OPEN: "öppen",
    State.QUEUED: "i kö",
    State.WITH_AGENT: "hos kommunvägledare",
    State.BACK_TO_BOT: "tillbaka hos chattbotten",
    State.FOLLOW_UP: "återkoppling",
    State.CLOSED: "avslutad",
    State.DISPOSED: "gallrad",
}


@dataclass(frozen=True)
class Transition:
    source: State
    event: Event
    target: State
    owner: Owner


def _rows(sources: tuple[State, ...], event: Event, target: State, owner: Owner):  # type: ignore[no-untyped-def]
    return tuple(Transition(s, event, target, owner) for s in sources)


S = State
TRANSITIONS: tuple[Transition, ...] = (
    *_rows((S.OPEN, S.BACK_TO_BOT, S.FOLLOW_UP), Event.REQUEST_HUMAN, S.QUEUED, Owner.BOT),
    *_rows((S.QUEUED,), Event.TAKE, S.WITH_AGENT, Owner.CONSOLE),
    *_rows((S.WITH_AGENT,), Event.TRANSFER, S.QUEUED, Owner.CONSOLE),
    *_rows((S.WITH_AGENT,), Event.HAND_BACK, S.BACK_TO_BOT, Owner.CONSOLE),
    *_rows((S.WITH_AGENT, S.BACK_TO_BOT), Event.CLOSE, S.CLOSED, Owner.CONSOLE),
    *_rows((S.QUEUED,), Event.TIME_OUT, S.OPEN, Owner.TIMEOUT),
    *_rows((S.OPEN, S.QUEUED, S.BACK_TO_BOT), Event.LEAVE_MESSAGE, S.FOLLOW_UP, Owner.BOT),
    *_rows((S.FOLLOW_UP,), Event.CALLBACK_HANDLED, S.CLOSED, Owner.CONSOLE),
    *_rows(
        (S.OPEN, S.QUEUED, S.WITH_AGENT, S.BACK_TO_BOT), Event.GO_IDLE, S.CLOSED, Owner.RECORDER
    ),
    *_rows(
        (S.OPEN, S.QUEUED, S.WITH_AGENT, S.BACK_TO_BOT, S.FOLLOW_UP),
        Event.NEW_SESSION,
        S.CLOSED,
        Owner.RECORDER,
    ),
    *_rows((S.CLOSED,), Event.DISPOSE, S.DISPOSED, Owner.DISPOSAL),
)

_TABLE: dict[tuple[State, Event], Transition] = {(t.source, t.event): t for t in TRANSITIONS}

# A message may still be added to an ärende in these states.
ACTIVE: tuple[State, ...] = (S.OPEN, S.QUEUED, S.WITH_AGENT, S.BACK_TO_BOT, S.FOLLOW_UP)
# A handover row is in the queue or with an agent.
HANDOVER_ACTIVE: tuple[State, ...] = (S.QUEUED, S.WITH_AGENT)


class TransitionRefused(ValueError):
    """A move the table does not allow; the message is for staff (Swedish)."""


def label(code: str | State | None) -> str:
    """The Swedish word for a stored code (unknown codes are shown as they are)."""
    try:
        return LABELS[State(code)]
    except ValueError:
        return str(code or "")


def parse_state(text: str) -> State:
    """A state from its code or its Swedish label ("avslutad" or "closed")."""
    value = " ".join(str(text or "").split()).lower()
    for state, word in LABELS.items():
        if value in (state.value, word):
            return state
    known = ", ".join(LABELS.values())
    raise ValueError(f"Okänd status {value[:40]!r}. Välj en av: {known}.")


def sources(event: Event) -> tuple[State, ...]:
    """The states ``event`` can leave (for a conditional UPDATE … WHERE status IN)."""
    return tuple(t.source for t in TRANSITIONS if t.event == event)


def transition(current: str | State, event: Event, owner: Owner) -> Transition:
    """The move for ``event`` from ``current``, if ``owner`` may make it; else refused."""
    try:
        state = State(current)
    except ValueError:
        raise TransitionRefused(f"Okänt tillstånd {str(current)[:40]!r}.") from None
    move = _TABLE.get((state, event))
    if move is None:
        raise TransitionRefused(
            f"Ärendet kan inte {_VERBS[event]} nu (status: {LABELS[state]})."
        )
    if move.owner != owner:
        raise TransitionRefused(
            f"Bara {move.owner.value} får {_VERBS[event]} ett ärende (inte {owner.value})."
        )
    return move


_VERBS: dict[Event, str] = {
    Event.REQUEST_HUMAN: "ställas i kö",
    Event.TAKE: "tas över",
    Event.TRANSFER: "överlämnas",
    Event.HAND_BACK: "lämnas tillbaka till chattbotten",
    Event.CLOSE: "avslutas",
    Event.TIME_OUT: "få en tidsgräns",
    Event.LEAVE_MESSAGE: "få ett meddelande",
    Event.CALLBACK_HANDLED: "markeras som hanterat",
    Event.GO_IDLE: "stängas som inaktivt",
    Event.NEW_SESSION: "stängas av en ny session",
    Event.DISPOSE: "gallras",
}
