"""Insights: NLU confidence on messages, staff review of missed questions, indexes.

Revision ID: 0006_insights
Revises: 0005_satisfaction
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_insights"
down_revision = "0005_satisfaction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_messages") as batch:
        batch.add_column(sa.Column("intent_confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("predicted_intent", sa.String(length=100), nullable=True))
    # Statistics over a period: "did the resident write?" per case from the index, and
    # resident messages of a period (intent, confidence, guess) without table reads.
    op.create_index(
        "ix_case_messages_case_role", "case_messages", ["case_id", "sender_role"], unique=False
    )
    op.create_index(
        "ix_case_messages_role_time",
        "case_messages",
        ["sender_role", "sent_at", "intent", "intent_confidence", "predicted_intent"],
        unique=False,
    )
    op.create_table(
        "missed_question_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["case_messages.id"],
            name=op.f("fk_missed_question_reviews_message_id_case_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_question_reviews")),
        sa.UniqueConstraint("message_id", name=op.f("uq_missed_question_reviews_message_id")),
    )
    op.create_index(
        op.f("ix_missed_question_reviews_decision"),
        "missed_question_reviews",
        ["decision"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_missed_question_reviews_decision"), table_name="missed_question_reviews"
    )
    op.drop_table("missed_question_reviews")
    op.drop_index("ix_case_messages_role_time", table_name="case_messages")
    op.drop_index("ix_case_messages_case_role", table_name="case_messages")
    with op.batch_alter_table("case_messages") as batch:
        batch.drop_column("predicted_intent")
        batch.drop_column("intent_confidence")
