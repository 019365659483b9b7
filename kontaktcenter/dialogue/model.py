"""What one turn of a conversation is made of, independent of Rasa.

The action layer builds a :class:`Turn` and a :class:`Context` from the tracker, the
router answers with a :class:`Reply`, and the action layer turns that back into bot
messages and slot events. Context is what the resident and the bot last talked about,
so "och på fredag då?" can be read as a question about Friday's opening hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from kontaktcenter.dates.periods import Period
from kontaktcenter.dialogue.dated import ClauseDates

# Topics the context remembers.
TOPIC_HOURS = "hours"
TOPIC_HID = "hid"
TOPIC_CONTACT = "contact"

# What the bot last offered, so that "ja"/"nej" has a meaning.
OFFER_HUMAN = "human"
OFFER_MESSAGE = "message"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    """One bot message; ``languages`` marks parts not in Swedish (WCAG 3.1.2)."""

    text: str
    buttons: tuple[Button, ...] = ()
    languages: tuple[tuple[str, str], ...] = ()  # (text, language code)


@dataclass(frozen=True)
class Turn:
    """The resident's latest message as NLU read it, at the product's clock."""

    text: str
    intent: str | None
    now: datetime
    confidence: float = 1.0
    date: date | None = None
    time: time | None = None
    period: Period | None = None
    date_error: str | None = None  # a Swedish question back ("31 februari finns inte…")
    # The dates of each clause when the message asks several things (folded clause text
    # as the key, see dialogue.dated); parsed once by the NLU extractor.
    clause_dates: Mapping[str, ClauseDates] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the conversation is about so far; stored in slots between turns."""

    topic: str | None = None
    day: date | None = None
    time: time | None = None
    offer: str | None = None
    misses: int = 0
    last_reply: str | None = None

    def but(self, **changes: object) -> Context:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Reply:
    """What the bot says, the context after it, and an action to run next (or None)."""

    messages: list[Message] = field(default_factory=list)
    context: Context = field(default_factory=Context)
    next_action: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)
