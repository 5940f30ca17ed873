"""An index for the capacity dashboard's trend: a region's figures of one status by date.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_capacity_history_trend", "capacity_history",
                    ["region", "status", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_capacity_history_trend", "capacity_history")
