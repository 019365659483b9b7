"""The resident's satisfaction answer ("Fick du hjälp?"), one per ärende.

Revision ID: 0005_satisfaction
Revises: 0004_state_codes
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_satisfaction"
down_revision = "0004_state_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_satisfaction_answers_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_answers")),
        sa.UniqueConstraint("case_id", name=op.f("uq_satisfaction_answers_case_id")),
    )
    op.create_index(
        op.f("ix_satisfaction_answers_diarienummer"),
        "satisfaction_answers",
        ["diarienummer"],
        unique=False,
    )
    op.create_index(
        op.f("ix_satisfaction_answers_created_at"),
        "satisfaction_answers",
        ["created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_satisfaction_answers_created_at"), table_name="satisfaction_answers")
    op.drop_index(op.f("ix_satisfaction_answers_diarienummer"), table_name="satisfaction_answers")
    op.drop_table("satisfaction_answers")
