"""Reading the register: the resident's own ärende, one ärende, search, audited originals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select

from kontaktcenter.clock import now_utc
from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.audit import write_audit
from kontaktcenter.records.base import RegisterBase, aware
from kontaktcenter.records.errors import AccessDenied
from kontaktcenter.records.info import CaseDetail, CaseInfo, MessageInfo
from kontaktcenter.records.masking import phone_digits_in, search_phone
from kontaktcenter.records.models import Case, Message, MessageOriginal
from kontaktcenter.records.notes import notes_of
from kontaktcenter.records.states import parse_state
from kontaktcenter.records.text import day_start, fold, one_line

MAX_QUERY_CHARS = 200
MAX_PAGE = 500


@dataclass(frozen=True)
class CaseSearch:
    """One page of a search, and how many ärenden matched in all."""

    total: int
    offset: int
    limit: int
    cases: list[CaseInfo] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.cases) < self.total


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Queries(RegisterBase):
    def case_for_conversation(self, conversation_id: str) -> CaseInfo | None:
        """The latest ärende of a conversation."""
        conversation = one_line(conversation_id, 255)
        if not conversation:
            return None
        stmt = (
            select(Case)
            .where(Case.conversation_id == conversation)
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(1)
        )
        with self.db.session() as session:
            case = session.execute(stmt).scalar_one_or_none()
            return self._info(session, case) if case else None

    def get_case(self, diarienummer: str) -> CaseDetail | None:
        """Registration data and masked messages in order; None if there is no such case."""
        number = v.normalise_diarienummer(diarienummer)
        with self.db.session() as session:
            case = session.execute(
                select(Case).where(Case.diarienummer == number)
            ).scalar_one_or_none()
            if case is None:
                return None
            messages = session.execute(
                select(Message, MessageOriginal.message_id)
                .outerjoin(MessageOriginal, MessageOriginal.message_id == Message.id)
                .where(Message.case_id == case.id)
                .order_by(Message.sent_at, Message.seq)
            ).all()
            return CaseDetail(
                case=self._info(session, case, count=len(messages)),
                messages=[
                    MessageInfo(
                        m.seq, m.sender_role, m.sender_name, m.sent_at, m.text, orig is not None
                    )
                    for m, orig in messages
                ],
                notes=notes_of(session, case.id),
            )

    def read_original(
        self,
        diarienummer: str,
        user: str,
        role: str,
        reason: str,
        *,
        at: datetime | None = None,
        handling_agent: bool = False,
    ) -> CaseDetail:
        """The unmasked messages, for an authorised reader only; every attempt is audited.

        ``handling_agent``: the caller verified that ``user`` is the kommunvägledare
        handling this ärende right now, who may read what the resident wrote to them.
        """
        number = v.normalise_diarienummer(diarienummer)
        actor = one_line(user, 200)
        role_name = one_line(role, 100).lower()
        why = one_line(reason, 1000)
        if not actor:
            raise ValueError("Ange vem som läser originalet (användare).")
        if not why:
            raise ValueError("Ange skälet till att originalet läses.")
        at = aware(at, "Tiden") if at else now_utc()
        allowed = handling_agent or role_name in self.policy.original_reader_roles
        with write_session(self.db) as session:
            case = self._case_by_number(session, number)
            write_audit(
                session,
                at=at,
                actor=actor,
                role=role_name or None,
                action=v.ACTION_READ_ORIGINAL if allowed else v.ACTION_READ_DENIED,
                diarienummer=number,
                reason=why,
            )
            rows = session.execute(
                select(Message, MessageOriginal.text)
                .outerjoin(MessageOriginal, MessageOriginal.message_id == Message.id)
                .where(Message.case_id == case.id)
                .order_by(Message.sent_at, Message.seq)
            ).all()
            info = self._info(session, case, count=len(rows))
            notes = notes_of(session, case.id, originals=allowed)
        if not allowed:
            roles = ", ".join(sorted(self.policy.original_reader_roles)) or "(inga)"
            raise AccessDenied(
                f"Rollen {role_name or '(ingen)'!r} får inte läsa original. "
                f"Behöriga roller: {roles}. Försöket är loggat."
            )
        return CaseDetail(
            case=info,
            messages=[
                MessageInfo(
                    m.seq, m.sender_role, m.sender_name, m.sent_at, original or m.text, False
                )
                for m, original in rows
            ],
            originals=True,
            notes=notes,
        )

    def audit_live_view(self, diarienummer: str, user: str, role: str, count: int) -> None:
        """Log that the handling kommunvägledare saw ``count`` unmasked live messages."""
        number = v.normalise_diarienummer(diarienummer)
        with write_session(self.db) as session:
            write_audit(
                session,
                at=now_utc(),
                actor=one_line(user, 200),
                role=one_line(role, 100).lower() or None,
                action=v.ACTION_READ_ORIGINAL,
                diarienummer=number,
                reason=f"pågående samtal, handläggande kommunvägledare ({count} omaskerade)",
            )

    def search_cases(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        status: str | None = None,
        text: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> CaseSearch:
        """Ärenden newest first, filtered by registration day (Stockholm), status and text.

        ``text`` matches a diarienummer, the ärendemening or the masked message texts,
        case-insensitively; a phone number also matches the ärenden where the resident
        wrote it (the originals are searched, never shown). ``total`` counts all matches.
        """
        conditions = []
        if date_from and date_to and date_from > date_to:
            raise ValueError("Från-datumet ligger efter till-datumet.")
        if date_from:
            conditions.append(Case.registered_at >= day_start(date_from))
        if date_to:
            conditions.append(Case.registered_at < day_start(date_to + timedelta(days=1)))
        if status:
            conditions.append(Case.status == parse_state(status).value)
        if text is not None:
            query = one_line(text, 10 * MAX_QUERY_CHARS)
            if not query:
                raise ValueError("Ange en söktext.")
            if len(query) > MAX_QUERY_CHARS:
                raise ValueError(f"Söktexten är för lång (högst {MAX_QUERY_CHARS} tecken).")
            pattern = f"%{_escape_like(fold(query))}%"
            in_messages = exists().where(
                and_(Message.case_id == Case.id, Message.text_folded.like(pattern, escape="\\"))
            )
            matches = [
                Case.diarienummer == query.upper(),
                Case.subject_folded.like(pattern, escape="\\"),
                in_messages,
            ]
            phone_cases = self._cases_with_phone(query)
            if phone_cases:
                matches.append(Case.id.in_(phone_cases))
            conditions.append(or_(*matches))
        offset = max(0, offset)
        limit = max(1, min(limit, MAX_PAGE))
        stmt = (
            select(Case)
            .where(*conditions)
            .order_by(Case.registered_at.desc(), Case.id.desc())
            .offset(offset)
            .limit(limit)
        )
        with self.db.session() as session:
            total = session.execute(
                select(func.count()).select_from(Case).where(*conditions)
            ).scalar_one()
            cases = list(session.execute(stmt).scalars())
            counts = self._counts(session, [c.id for c in cases])
            infos = [self._info(session, c, count=counts.get(c.id, 0)) for c in cases]
        return CaseSearch(int(total), offset, limit, infos)

    def list_cases(self, *, limit: int = 100, **filters: object) -> list[CaseInfo]:
        """The first ``limit`` ärenden of :meth:`search_cases` (CLI and tests)."""
        return self.search_cases(limit=limit, **filters).cases  # type: ignore[arg-type]

    def search(self, text: str, limit: int = 100) -> list[CaseInfo]:
        return self.list_cases(text=text, limit=limit)

    def _cases_with_phone(self, query: str) -> list[int]:
        """Ids of ärenden whose originals hold the phone number in ``query`` (if it is one)."""
        wanted = search_phone(query)
        if wanted is None:
            return []
        tail = _escape_like(wanted[-3:])
        stmt = (
            select(Message.case_id, MessageOriginal.text)
            .join(MessageOriginal, MessageOriginal.message_id == Message.id)
            .where(MessageOriginal.text.like(f"%{tail[0]}%{tail[1]}%{tail[2]}%", escape="\\"))
        )
        with self.db.session() as session:
            return sorted(
                {case_id for case_id, text in session.execute(stmt) if wanted in
                 phone_digits_in(text)}
            )
