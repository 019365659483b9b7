"""The agent desk: when the resident in a chat was last seen typing, and when they left.

Revision ID: 0008_desk_typing
Revises: 0007_desk
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_desk_typing"
down_revision = "0007_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("handovers", sa.Column("resident_typing_at", sa.DateTime(), nullable=True))
    op.add_column("handovers", sa.Column("resident_left_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.drop_column("resident_left_at")
        batch.drop_column("resident_typing_at")
