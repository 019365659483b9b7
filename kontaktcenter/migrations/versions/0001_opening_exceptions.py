"""Opening-hour exceptions that staff maintain (one row per date).

Revision ID: 0001_opening_exceptions
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_opening_exceptions"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opening_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(closed AND opens IS NULL AND closes IS NULL)"
            " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name=op.f("ck_opening_exceptions_hours_consistent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_exceptions")),
        sa.UniqueConstraint("day", name=op.f("uq_opening_exceptions_day")),
    )


def downgrade() -> None:
    op.drop_table("opening_exceptions")
