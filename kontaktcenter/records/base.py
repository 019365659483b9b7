"""What the register's ingestion and queries share: the database, configuration, views."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kontaktcenter.db.engine import Database, get_database
from kontaktcenter.records.errors import CaseNotFound
from kontaktcenter.records.info import CaseInfo
from kontaktcenter.records.masking import Masker, masker_from_facts
from kontaktcenter.records.models import Case, Message
from kontaktcenter.records.policy import RecordsPolicy, default_policy
from kontaktcenter.records.topics import Topics, default_topics


def aware(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a Swedish ValueError for a time without a zone."""
    if value.tzinfo is None:
        raise ValueError(f"{what} måste ha tidszon.")
    return value.astimezone(timezone.utc)


class RegisterBase:
    """The register over one database.

    ``masker``, ``policy`` and ``topics`` default to the deployment's configuration
    (config/contact.yml, retention.yml, topics.yml), loaded on first use.
    """

    def __init__(
        self,
        db: Database | str | None = None,
        *,
        masker: Masker | None = None,
        policy: RecordsPolicy | None = None,
        topics: Topics | None = None,
    ) -> None:
        self.db = db if isinstance(db, Database) else get_database(db)
        self._masker = masker
        self._policy = policy
        self._topics = topics

    @property
    def masker(self) -> Masker:
        if self._masker is None:
            self._masker = masker_from_facts()
        return self._masker

    @property
    def policy(self) -> RecordsPolicy:
        if self._policy is None:
            self._policy = default_policy()
        return self._policy

    @property
    def topics(self) -> Topics:
        if self._topics is None:
            self._topics = default_topics()
        return self._topics

    @staticmethod
    def _case_by_number(session: Session, number: str, *, lock: bool = False) -> Case:
        stmt = select(Case).where(Case.diarienummer == number)
        if lock:
            stmt = stmt.with_for_update()
        case: Case | None = session.execute(stmt).scalar_one_or_none()
        if case is None:
            raise CaseNotFound(number)
        return case

    @staticmethod
    def _counts(session: Session, case_ids: list[int]) -> dict[int, int]:
        if not case_ids:
            return {}
        rows = session.execute(
            select(Message.case_id, func.count())
            .where(Message.case_id.in_(case_ids))
            .group_by(Message.case_id)
        ).all()
        return {case_id: count for case_id, count in rows}

    def _info(self, session: Session, case: Case, count: int | None = None) -> CaseInfo:
        if count is None:
            count = self._counts(session, [case.id]).get(case.id, 0)
        return case_info(case, count)


def case_info(case: Case, count: int = 0) -> CaseInfo:
    return CaseInfo(
        diarienummer=case.diarienummer,
        conversation_id=case.conversation_id,
        registered_at=case.registered_at,
        channel=case.channel,
        sender=case.sender,
        subject=case.subject,
        status=case.status,
        handled_by=case.handled_by,
        closed_at=case.closed_at,
        last_activity_at=case.last_activity_at,
        retention_category=case.retention_category,
        message_count=count,
    )
