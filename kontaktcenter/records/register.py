"""The register of ärenden: ingestion (writing) and queries (reading) over one database.

Plain Python (no Rasa imports). The event broker's recorder feeds
:meth:`Register.record_event`; Rasa actions ask for the resident's ärende; the CLI and
the staff console search, read, release and dispose. State changes are moves of
:mod:`kontaktcenter.records.states`, made by their owners (see lifecycle.py).
"""

from __future__ import annotations

from datetime import datetime

from kontaktcenter.records.disposal import DisposalReport, dispose
from kontaktcenter.records.errors import AccessDenied, CaseNotFound
from kontaktcenter.records.export import export_case
from kontaktcenter.records.info import CaseInfo
from kontaktcenter.records.ingestion import Ingestion, RecordOutcome, session_key_for
from kontaktcenter.records.notes import Notes
from kontaktcenter.records.queries import CaseSearch, Queries
from kontaktcenter.records.rasa_events import event_time

__all__ = [
    "AccessDenied",
    "CaseNotFound",
    "CaseSearch",
    "RecordOutcome",
    "Register",
    "get_register",
    "session_key_for",
]


class Register(Ingestion, Queries, Notes):
    """The public-record register; every public method is one unit of work."""

    def current_case(
        self,
        conversation_id: str,
        session_started_at: datetime | float | None = None,
        channel: str | None = None,
    ) -> CaseInfo | None:
        """The resident's ärende right now, for "vad är mitt ärendenummer?".

        With the timestamp of the tracker's latest ``session_started`` the ärende of
        that session is returned (opened here, idempotently, if the broker has not yet
        recorded the start); without it, the latest ärende of the conversation.
        """
        if session_started_at is None:
            return self.case_for_conversation(conversation_id)
        if not isinstance(session_started_at, datetime):
            session_started_at = event_time({"timestamp": session_started_at})
        return self.open_case(conversation_id, session_started_at, channel)

    def export_case(
        self,
        diarienummer: str,
        fmt: str = "html",
        *,
        requested_by: str = "",
        released_by: str = "",
        at: datetime | None = None,
    ) -> str:
        """A release copy (utlämnande) as HTML or JSON; the release is audited."""
        return export_case(
            self, diarienummer, fmt, requested_by=requested_by, released_by=released_by, at=at
        )

    def dispose(
        self, now: datetime, dry_run: bool = False, *, performed_by: str = "system"
    ) -> DisposalReport:
        """Gallring per config/retention.yml."""
        return dispose(self, now, dry_run=dry_run, performed_by=performed_by)


_registers: dict[str | None, Register] = {}


def get_register(url: str | None = None) -> Register:
    """The process-wide register for ``url`` (default: KC_DATABASE_URL / var/ SQLite)."""
    register = _registers.get(url)
    if register is None:
        register = _registers[url] = Register(url)
    return register
