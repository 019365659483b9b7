"""Public-record register: cases, messages, originals, counters, audit and disposal logs.

Revision ID: 0002_records
Revises: 0001_opening_exceptions
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_records"
down_revision = "0001_opening_exceptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_number_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_case_number_counters")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column("session_key", sa.String(length=255), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("subject_folded", sa.String(length=500), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(), nullable=True),
        sa.Column("retention_category", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("diarienummer", name=op.f("uq_cases_diarienummer")),
        sa.UniqueConstraint("session_key", name=op.f("uq_cases_session_key")),
        sa.UniqueConstraint("year", "seq", name="uq_cases_year_seq"),
    )
    op.create_index(op.f("ix_cases_conversation_id"), "cases", ["conversation_id"])
    op.create_index(op.f("ix_cases_registered_at"), "cases", ["registered_at"])
    op.create_index(op.f("ix_cases_status"), "cases", ["status"])
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_role", sa.String(length=30), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_folded", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_messages_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_messages_case_id_seq"),
        sa.UniqueConstraint("event_key", name=op.f("uq_case_messages_event_key")),
    )
    op.create_index(op.f("ix_case_messages_case_id"), "case_messages", ["case_id"])
    op.create_table(
        "message_originals",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["case_messages.id"],
            name=op.f("fk_message_originals_message_id_case_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_originals")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_diarienummer"), "audit_log", ["diarienummer"])
    op.create_table(
        "disposal_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=False),
        sa.Column("disposed_at", sa.DateTime(), nullable=False),
        sa.Column("decision", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("performed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_log")),
    )
    op.create_index(op.f("ix_disposal_log_diarienummer"), "disposal_log", ["diarienummer"])


def downgrade() -> None:
    op.drop_index(op.f("ix_disposal_log_diarienummer"), table_name="disposal_log")
    op.drop_table("disposal_log")
    op.drop_index(op.f("ix_audit_log_diarienummer"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("message_originals")
    op.drop_index(op.f("ix_case_messages_case_id"), table_name="case_messages")
    op.drop_table("case_messages")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_registered_at"), table_name="cases")
    op.drop_index(op.f("ix_cases_conversation_id"), table_name="cases")
    op.drop_table("cases")
    op.drop_table("case_number_counters")
