"""Handover queue, callbacks, staff accounts and console sessions.

Revision ID: 0003_handover_staff
Revises: 0002_records
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_handover_staff"
down_revision = "0002_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_accounts_username")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_sessions_account_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(
        op.f("ix_staff_sessions_account_id"), "staff_sessions", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_sessions_expires_at"), "staff_sessions", ["expires_at"], unique=False
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=True),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("concern", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_to", sa.String(length=100), nullable=True),
        sa.Column("agent_username", sa.String(length=100), nullable=True),
        sa.Column("agent_name", sa.String(length=100), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    for column in ("conversation_id", "diarienummer", "status", "requested_at"):
        op.create_index(op.f(f"ix_handovers_{column}"), "handovers", [column], unique=False)
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("diarienummer", sa.String(length=20), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("contact_kind", sa.String(length=20), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    for column in ("conversation_id", "diarienummer", "created_at"):
        op.create_index(op.f(f"ix_callbacks_{column}"), "callbacks", [column], unique=False)


def downgrade() -> None:
    for column in ("conversation_id", "diarienummer", "created_at"):
        op.drop_index(op.f(f"ix_callbacks_{column}"), table_name="callbacks")
    op.drop_table("callbacks")
    for column in ("conversation_id", "diarienummer", "status", "requested_at"):
        op.drop_index(op.f(f"ix_handovers_{column}"), table_name="handovers")
    op.drop_table("handovers")
    op.drop_index(op.f("ix_staff_sessions_expires_at"), table_name="staff_sessions")
    op.drop_index(op.f("ix_staff_sessions_account_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
