"""The resident's satisfaction answer ("Fick du hjälp?"), one per ärende.

Revision ID: 0005_satisfaction
Revises: 0003_handover_staff
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_satisfaction"
down_revision = "0003_handover_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_satisfaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_satisfaction_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_satisfaction")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_satisfaction_case_id")),
    )
    op.create_index(
        op.f("ix_case_satisfaction_diarienummer"),
        "case_satisfaction",
        ["diarienummer"],
        unique=False,
    )
    op.create_index(
        op.f("ix_case_satisfaction_created_at"), "case_satisfaction", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_satisfaction_created_at"), table_name="case_satisfaction")
    op.drop_index(op.f("ix_case_satisfaction_diarienummer"), table_name="case_satisfaction")
    op.drop_table("case_satisfaction")
