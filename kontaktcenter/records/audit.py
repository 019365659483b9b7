"""The audit log: every read of an original and every release, with who, when and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kontaktcenter.db.engine import Database
from kontaktcenter.records.models import AuditEntry
from kontaktcenter.records.text import iso


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    role: str | None
    action: str
    diarienummer: str | None
    reason: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "at": iso(self.at),
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "diarienummer": self.diarienummer,
            "reason": self.reason,
        }


def write_audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    diarienummer: str | None,
    reason: str | None,
    role: str | None = None,
) -> None:
    """Add an entry in the caller's transaction, so the log and the act commit together."""
    session.add(
        AuditEntry(
            at=at, actor=actor, role=role, action=action, diarienummer=diarienummer, reason=reason
        )
    )


def list_audit(
    db: Database, *, diarienummer: str | None = None, limit: int = 200
) -> list[AuditRecord]:
    """Newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if diarienummer:
        stmt = stmt.where(AuditEntry.diarienummer == diarienummer)
    with db.session() as session:
        return [
            AuditRecord(e.at, e.actor, e.role, e.action, e.diarienummer, e.reason)
            for e in session.execute(stmt).scalars()
        ]
