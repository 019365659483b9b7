"""Obesvarade frågor: resident messages the bot did not understand, grouped, and triaged.

The texts are the register's masked copies (the same masking as release copies), so
no personnummer, phone number or e-mail address is ever shown or exported from here.
Grouping is deliberately simple and explainable: DIET's best guess first, then shared
content words (greedy, Jaccard overlap), newest group first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kontaktcenter import clock
from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.insights.config import InsightsConfig, default_config
from kontaktcenter.insights.models import MissedQuestionReview
from kontaktcenter.insights.period import Period
from kontaktcenter.insights.stats import missed_condition, without_jit
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.models import Case, Message

NEW_PHRASING = "ny formulering"
OUT_OF_SCOPE = "utanför uppdraget"
IGNORE = "ignorera"
DECISIONS = (NEW_PHRASING, OUT_OF_SCOPE, IGNORE)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_MESSAGES = 2000
SIMILARITY = 0.3

# Masks ("[telefonnummer borttaget]") and very common Swedish words say nothing of a theme.
_MASK = re.compile(r"\[[^\]]*\]")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP_TEXT = (
    """och att det som för med har inte den jag ett till var kan ska vill mig min mitt
    mina dig din ditt era oss vår våra hur vad när där här finns från eller men även
    alla andra efter bara blir då dem deras denna detta dessa hos hon han hen nej ja
    sig sin sitt sina man mycket nu också om över på så under upp ut vid vilka vilken
    vilket hej tack snälla går får måste kunna skulle blev bli varit vara göra gör"""
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class MissedMessage:
    id: int
    diarienummer: str
    sent_at: datetime
    text: str  # masked
    intent: str | None
    confidence: float | None
    predicted_intent: str | None
    decision: str | None = None
    decided_intent: str | None = None


@dataclass
class MissedGroup:
    """Similar missed messages; ``messages`` newest first."""

    predicted_intent: str | None
    words: list[str]
    messages: list[MissedMessage] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def newest(self) -> datetime:
        return self.messages[0].sent_at

    @property
    def label(self) -> str:
        words = ", ".join(self.words) or "inga gemensamma ord"
        return f"{self.predicted_intent or 'okänd avsikt'}: {words}"


def content_words(text: str) -> set[str]:
    """Lower-case words of three letters or more, masks and stop words removed."""
    cleaned = _MASK.sub(" ", text)
    return {w for w in (m.group(0).casefold() for m in _WORD.finditer(cleaned))
            if w not in STOP_WORDS}


def group_messages(messages: list[MissedMessage]) -> list[MissedGroup]:
    """Greedy grouping: same predicted intent and enough shared words; newest first."""
    groups: list[tuple[MissedGroup, set[str]]] = []
    for message in sorted(messages, key=lambda m: (m.sent_at, m.id), reverse=True):
        words = content_words(message.text)
        best: tuple[float, int] | None = None
        for index, (group, seed) in enumerate(groups):
            if group.predicted_intent != message.predicted_intent:
                continue
            union = words | seed
            overlap = len(words & seed) / len(union) if union else 1.0
            if overlap >= SIMILARITY and (best is None or overlap > best[0]):
                best = (overlap, index)
        if best is None:
            groups.append((MissedGroup(message.predicted_intent, []), set(words)))
            best = (1.0, len(groups) - 1)
        group, seed = groups[best[1]]
        group.messages.append(message)
    result = []
    for group, _seed in groups:
        common = Counter(w for m in group.messages for w in content_words(m.text))
        group.words = [w for w, _n in sorted(common.items(), key=lambda i: (-i[1], i[0]))[:3]]
        result.append(group)
    return sorted(result, key=lambda g: (g.newest, g.messages[0].id), reverse=True)


class MissedQuestions:
    """Listing and triage over one database; each method is one unit of work."""

    def __init__(self, db: Database | str | None = None,
                 config: InsightsConfig | None = None) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self._config = config

    @property
    def config(self) -> InsightsConfig:
        if self._config is None:
            self._config = default_config()
        return self._config

    def messages(self, period: Period, *, include_reviewed: bool = False,
             limit: int = MAX_MESSAGES) -> list[MissedMessage]:
        """Missed resident messages sent in ``period``, newest first."""
        stmt = (
            select(Message, Case.diarienummer, MissedQuestionReview)
            .join(Case, Case.id == Message.case_id)
            .outerjoin(MissedQuestionReview, MissedQuestionReview.message_id == Message.id)
            .where(
                Message.sent_at >= period.start,
                Message.sent_at < period.end,
                Message.sender_role == v.ROLE_RESIDENT,
                missed_condition(self.config.missed_confidence_threshold),
            )
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(max(1, min(limit, MAX_MESSAGES)))
        )
        if not include_reviewed:
            stmt = stmt.where(MissedQuestionReview.id.is_(None))
        with self.db.session() as session:
            without_jit(session, self.db.dialect)
            return [_missed(m, number, review) for m, number, review in session.execute(stmt)]

    def groups(self, period: Period, *, include_reviewed: bool = False) -> list[MissedGroup]:
        return group_messages(self.messages(period, include_reviewed=include_reviewed))

    def review(self, message_ids: list[int], decision: str, *, by: str,
               intent: str | None = None, known_intents: set[str] | None = None) -> int:
        """Record a decision for messages (changing an earlier one); how many changed.

        Only missed resident messages can be reviewed; "ny formulering" needs an intent
        the assistant knows (``known_intents``, from domain.yml).
        """
        if decision not in DECISIONS:
            raise ValueError(f"Okänt beslut. Välj en av: {', '.join(DECISIONS)}.")
        chosen = (intent or "").strip() or None
        if decision == NEW_PHRASING:
            if not chosen:
                raise ValueError("Välj vilken avsikt den nya formuleringen hör till.")
            if not INTENT_NAME.match(chosen) or (known_intents is not None
                                                 and chosen not in known_intents):
                raise ValueError(f"Okänd avsikt {chosen[:60]!r}.")
        else:
            chosen = None
        ids = sorted({int(i) for i in message_ids})
        if not ids:
            raise ValueError("Välj minst en fråga.")
        actor = " ".join(str(by or "").split())[:100]
        if not actor:
            raise ValueError("Ange vem som beslutar.")
        now = clock.now_utc()
        threshold = self.config.missed_confidence_threshold
        try:
            with write_session(self.db) as session:
                found = set(session.execute(
                    select(Message.id).where(
                        Message.id.in_(ids),
                        Message.sender_role == v.ROLE_RESIDENT,
                        missed_condition(threshold),
                    )
                ).scalars())
                if found != set(ids):
                    raise ValueError("Någon av frågorna finns inte längre (gallrad?). "
                                     "Ladda om sidan.")
                existing = {r.message_id: r for r in session.execute(
                    select(MissedQuestionReview).where(MissedQuestionReview.message_id.in_(ids))
                ).scalars()}
                for message_id in ids:
                    row = existing.get(message_id)
                    if row is None:
                        row = MissedQuestionReview(message_id=message_id)
                        session.add(row)
                    row.decision, row.intent = decision, chosen
                    row.decided_by, row.decided_at = actor, now
                return len(ids)
        except IntegrityError:
            raise ValueError("Någon annan beslutade om samma fråga samtidigt. "
                             "Ladda om sidan och försök igen.") from None

    def accepted(self) -> list[MissedMessage]:
        """Every message marked "ny formulering", oldest first (for the NLU file)."""
        stmt = (
            select(Message, Case.diarienummer, MissedQuestionReview)
            .join(Case, Case.id == Message.case_id)
            .join(MissedQuestionReview, MissedQuestionReview.message_id == Message.id)
            .where(MissedQuestionReview.decision == NEW_PHRASING)
            .order_by(Message.sent_at, Message.id)
        )
        with self.db.session() as session:
            return [_missed(m, number, review) for m, number, review in session.execute(stmt)]


def _missed(message: Message, number: str, review: MissedQuestionReview | None) -> MissedMessage:
    return MissedMessage(
        id=message.id,
        diarienummer=number,
        sent_at=message.sent_at,
        text=message.text,
        intent=message.intent,
        confidence=message.intent_confidence,
        predicted_intent=message.predicted_intent,
        decision=review.decision if review else None,
        decided_intent=review.intent if review else None,
    )
