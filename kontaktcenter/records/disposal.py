"""Gallring: remove or anonymise closed cases whose retention period has passed.

Periods and the decisions they rest on come from config/retention.yml; each disposed
case is written to the disposal log, which is never disposed itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from kontaktcenter.db.transactions import write_session
from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.lifecycle import move_case
from kontaktcenter.records.models import Case, DisposalEntry, Message, MessageOriginal
from kontaktcenter.records.notes import remove_notes
from kontaktcenter.records.policy import ACTION_DELETE, RetentionCategory
from kontaktcenter.records.states import Event, Owner, State
from kontaktcenter.records.text import count_cases, iso, local_text, one_line

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kontaktcenter.records.base import RegisterBase


_ACTION_WORDS = {ACTION_DELETE: v.DISPOSAL_DELETED}


@dataclass(frozen=True)
class DisposalItem:
    diarienummer: str
    category: str
    decision: str
    action: str  # raderad | avidentifierad
    closed_at: datetime
    expired_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "diarienummer": self.diarienummer,
            "category": self.category,
            "decision": self.decision,
            "action": self.action,
            "closed_at": iso(self.closed_at),
            "expired_at": iso(self.expired_at),
        }


@dataclass
class DisposalReport:
    now: datetime
    dry_run: bool
    items: list[DisposalItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A Swedish summary for the operator."""
        verb = "skulle gallras" if self.dry_run else "gallrades"
        lines = [f"{count_cases(len(self.items))} {verb} ({local_text(self.now)})."]
        for item in self.items:
            lines.append(
                f"  {item.diarienummer}  {item.action:<15} {item.category}  "
                f"avslutad {local_text(item.closed_at)}  beslut: {item.decision}"
            )
        lines.extend(f"Varning: {p}" for p in self.problems)
        if self.dry_run:
            lines.append("Provkörning (--dry-run): ingenting ändrades.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "now": iso(self.now),
            "dry_run": self.dry_run,
            "items": [i.to_dict() for i in self.items],
            "problems": self.problems,
        }


def _action_word(category: RetentionCategory) -> str:
    return _ACTION_WORDS.get(category.action, v.DISPOSAL_ANONYMISED)


def _remove_messages(session: Session, case_id: int) -> None:
    ids = select(Message.id).where(Message.case_id == case_id)
    quick = {"synchronize_session": False}
    session.execute(
        delete(MessageOriginal).where(MessageOriginal.message_id.in_(ids)), execution_options=quick
    )
    session.execute(delete(Message).where(Message.case_id == case_id), execution_options=quick)
    remove_notes(session, case_id)


def _apply(
    session: Session, case: Case, category: RetentionCategory, at: datetime, actor: str
) -> None:
    _remove_messages(session, case.id)
    if category.action == ACTION_DELETE:
        session.delete(case)
        return
    move_case(session, case, Event.DISPOSE, Owner.DISPOSAL, at=at, by=actor)
    case.sender = v.ANONYMOUS_SENDER
    case.conversation_id = None
    case.session_key = None


def dispose(
    register: RegisterBase, now: datetime, *, dry_run: bool = False, performed_by: str = "system"
) -> DisposalReport:
    """Dispose every closed case whose category's period has run out since closing."""
    if now.tzinfo is None:
        raise ValueError("Tiden måste ha tidszon.")
    policy = register.policy
    report = DisposalReport(now=now, dry_run=dry_run)
    actor = one_line(performed_by, 200) or "system"
    stmt = select(Case).where(Case.status == State.CLOSED.value, Case.closed_at.is_not(None))
    unit = register.db.session() if dry_run else write_session(register.db)
    with unit as session:
        cases = list(session.execute(stmt.order_by(Case.closed_at, Case.id)).scalars())
        for case in cases:
            category = policy.categories.get(case.retention_category)
            if category is None:
                report.problems.append(
                    f"{case.diarienummer} har gallringskategorin {case.retention_category!r} "
                    "som saknas i retention.yml; ärendet gallras inte."
                )
                continue
            expired_at = case.closed_at + timedelta(days=category.retention_days)
            if expired_at > now:
                continue
            item = DisposalItem(
                diarienummer=case.diarienummer,
                category=category.name,
                decision=category.decision,
                action=_action_word(category),
                closed_at=case.closed_at,
                expired_at=expired_at,
            )
            report.items.append(item)
            if dry_run:
                continue
            _apply(session, case, category, now, actor)
            session.add(
                DisposalEntry(
                    diarienummer=item.diarienummer,
                    disposed_at=now,
                    decision=item.decision,
                    category=item.category,
                    action=item.action,
                    performed_by=actor,
                )
            )
        if dry_run:
            session.rollback()  # nothing was changed; make sure nothing is written
    return report


@dataclass(frozen=True)
class DisposalLogEntry:
    diarienummer: str
    disposed_at: datetime
    decision: str
    category: str
    action: str
    performed_by: str

    def to_dict(self) -> dict[str, object]:
        return {
            "diarienummer": self.diarienummer,
            "disposed_at": iso(self.disposed_at),
            "decision": self.decision,
            "category": self.category,
            "action": self.action,
            "performed_by": self.performed_by,
        }


def disposal_log(register: RegisterBase, limit: int = 1000) -> list[DisposalLogEntry]:
    stmt = select(DisposalEntry).order_by(DisposalEntry.disposed_at.desc(), DisposalEntry.id.desc())
    with register.db.session() as session:
        return [
            DisposalLogEntry(
                e.diarienummer, e.disposed_at, e.decision, e.category, e.action, e.performed_by
            )
            for e in session.execute(stmt.limit(limit)).scalars()
        ]
