"""The resident's answer to "Fick du hjälp?" (1–5 and an optional comment), kept with the ärende.

At most one answer per ärende: the table has a unique case id, so a second answer (or two
at once) is refused rather than overwriting the first. The comment is masked with the
register's masker before it is stored, like every message of the ärende. Statistics read
the answers back with :func:`list_satisfaction`. Plain Python, no Rasa imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kontaktcenter import clock
from kontaktcenter.db.engine import Database
from kontaktcenter.db.transactions import write_session
from kontaktcenter.records.masking import Masker
from kontaktcenter.records.models import Case, Satisfaction
from kontaktcenter.records.text import clean, one_line

MIN_SCORE = 1
MAX_SCORE = 5
MAX_COMMENT_CHARS = 1000


class NoCaseForConversation(LookupError):
    def __init__(self) -> None:
        super().__init__("Det finns inget ärende för samtalet ännu.")


class AlreadyAnswered(Exception):
    def __init__(self, diarienummer: str) -> None:
        super().__init__(f"Ärende {diarienummer} har redan ett svar.")
        self.diarienummer = diarienummer


@dataclass(frozen=True)
class SatisfactionInfo:
    diarienummer: str
    score: int
    comment: str | None
    created_at: datetime


def valid_score(value: object) -> int:
    """The score as an int 1–5, or a Swedish ValueError (``True`` is not a score)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Välj ett betyg från 1 till 5.")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ValueError("Välj ett betyg från 1 till 5.")
    return value


def clean_comment(text: object, masker: Masker) -> str | None:
    """Trimmed, masked comment; None when empty; a Swedish ValueError when too long."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("Kommentaren måste vara text.")
    value = clean(text).strip()
    if len(value) > MAX_COMMENT_CHARS:
        raise ValueError(f"Kommentaren får vara högst {MAX_COMMENT_CHARS} tecken.")
    return masker.mask(value).text if value else None


def _info(row: Satisfaction) -> SatisfactionInfo:
    return SatisfactionInfo(row.diarienummer, row.score, row.comment, row.created_at)


def record_satisfaction(
    db: Database, conversation_id: str, score: object, comment: object, *, masker: Masker
) -> SatisfactionInfo:
    """Store the answer with the conversation's latest ärende; once per ärende."""
    score = valid_score(score)
    comment = clean_comment(comment, masker)
    conversation = one_line(conversation_id, 255)
    latest = (
        select(Case)
        .where(Case.conversation_id == conversation)
        .order_by(Case.registered_at.desc(), Case.id.desc())
        .limit(1)
    )
    number = ""
    try:
        with write_session(db) as session:
            case = session.execute(latest).scalar_one_or_none() if conversation else None
            if case is None:
                raise NoCaseForConversation()
            number = case.diarienummer
            taken = session.execute(
                select(Satisfaction.id).where(Satisfaction.case_id == case.id)
            ).first()
            if taken is not None:
                raise AlreadyAnswered(case.diarienummer)
            row = Satisfaction(
                case_id=case.id,
                diarienummer=case.diarienummer,
                score=score,
                comment=comment,
                created_at=clock.now_utc(),
            )
            session.add(row)
            session.flush()
            return _info(row)
    except IntegrityError:  # answered at the same moment from another tab
        raise AlreadyAnswered(number) from None


def satisfaction_for(db: Database, diarienummer: str) -> SatisfactionInfo | None:
    """The answer stored with one ärende, if any."""
    with db.session() as session:
        row = session.execute(
            select(Satisfaction).where(Satisfaction.diarienummer == diarienummer)
        ).scalar_one_or_none()
        return _info(row) if row else None


def list_satisfaction(
    db: Database, since: datetime | None = None, until: datetime | None = None
) -> list[SatisfactionInfo]:
    """Answers given in ``[since, until)`` (aware datetimes), oldest first."""
    stmt = select(Satisfaction).order_by(Satisfaction.created_at, Satisfaction.id)
    if since is not None:
        stmt = stmt.where(Satisfaction.created_at >= since)
    if until is not None:
        stmt = stmt.where(Satisfaction.created_at < until)
    with db.session() as session:
        return [_info(row) for row in session.execute(stmt).scalars()]
