"""Moving one ärende through the state machine inside a caller's unit of work.

The handover service, the recorder's jobs and disposal call :func:`move_case` in the
same transaction as their own change, so the register and the handover never disagree.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kontaktcenter.records import vocabulary as v
from kontaktcenter.records.audit import write_audit
from kontaktcenter.records.models import Case
from kontaktcenter.records.states import Event, Owner, State, Transition, label, transition
from kontaktcenter.records.text import one_line

logger = logging.getLogger(__name__)

# Moves made by people are audited; the recorder's and disposal's have their own logs.
_AUDITED = (Owner.BOT, Owner.CONSOLE, Owner.TIMEOUT)


def move_case(
    session: Session,
    case: Case,
    event: Event,
    owner: Owner,
    *,
    at: datetime,
    by: str,
    handled_by: str | None = None,
    note: str | None = None,
) -> Transition:
    """Apply ``event`` to ``case`` (refused with a Swedish TransitionRefused if illegal)."""
    move = transition(case.status, event, owner)
    case.status = move.target.value
    if move.target == State.CLOSED:
        case.closed_at = at
    if handled_by:
        case.handled_by = one_line(handled_by, 200)
    if owner in _AUDITED:
        reason = label(move.target) + (f": {one_line(note, 500)}" if note else "")
        write_audit(
            session,
            at=at,
            actor=one_line(by, 200) or owner.value,
            action=v.ACTION_STATUS,
            diarienummer=case.diarienummer,
            reason=reason,
        )
    return move


def move_case_by_number(
    session: Session,
    diarienummer: str | None,
    event: Event,
    owner: Owner,
    **kwargs: object,
) -> Transition | None:
    """Like :func:`move_case` for the ärende with that number; None when there is none.

    A handover can outlive its ärende's state (an idle ärende was closed meanwhile): the
    ärende then keeps its state and the refusal is logged, never raised to the caller.
    """
    if not diarienummer:
        return None
    case = session.execute(
        select(Case).where(Case.diarienummer == diarienummer).with_for_update()
    ).scalar_one_or_none()
    if case is None:
        return None
    try:
        return move_case(session, case, event, owner, **kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        logger.warning("Ärende %s not moved by %s: %s", diarienummer, event.value, exc)
        return None
