"""Ärende and handover states as codes of one state machine; the closing note.

Statuses were stored as Swedish words ("hos kommunvägledare"); they are now codes
("with_agent") of kontaktcenter.records.states, with the words only for display. A
handover that timed out ("ingen hann svara") is back with the bot: "open", ended by
"system". Callbacks marked handled close their ärende with the agent's note.

Also issue 12's two columns (kept in this one revision so the chain stays linear):
console login sessions remember their last request (idle timeout), and opening-hour
exceptions remember who added and last changed them.

Revision ID: 0004_state_codes
Revises: 0003_handover_staff
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_state_codes"
down_revision = "0003_handover_staff"
branch_labels = None
depends_on = None

# Frozen here: a migration must not change when the application's labels do.
CASE_CODES = {
    "öppen": "open",
    "i kö": "queued",
    "hos kommunvägledare": "with_agent",
    "tillbaka hos chattbotten": "back_to_bot",
    "återkoppling": "follow_up",
    "avslutad": "closed",
    "gallrad": "disposed",
}
HANDOVER_CODES = {
    "i kö": "queued",
    "hos kommunvägledare": "with_agent",
    "tillbaka hos chattbotten": "back_to_bot",
    "avslutad": "closed",
    "ingen hann svara": "open",
}


def _recode(table: str, mapping: dict[str, str], *, reverse: bool = False) -> None:
    status = sa.table(table, sa.column("status", sa.String))
    pairs = {v: k for k, v in mapping.items()} if reverse else mapping
    for old, new in pairs.items():
        op.execute(status.update().where(status.c.status == old).values(status=new))


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("closing_note", sa.Text(), nullable=True))
    _recode("cases", CASE_CODES)
    _recode("handovers", HANDOVER_CODES)
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("opening_exceptions") as batch:
        batch.add_column(sa.Column("created_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("updated_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opening_exceptions") as batch:
        batch.drop_column("updated_by")
        batch.drop_column("created_by")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("last_seen_at")
    handovers = sa.table(
        "handovers", sa.column("status", sa.String), sa.column("ended_by", sa.String)
    )
    op.execute(
        handovers.update()
        .where(handovers.c.status == "open", handovers.c.ended_by == "system")
        .values(status="ingen hann svara")
    )
    _recode("handovers", {k: v for k, v in HANDOVER_CODES.items() if v != "open"}, reverse=True)
    _recode("cases", CASE_CODES, reverse=True)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("closing_note")
