"""A covering index of the resources' state, for searches with many matches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_resource_state", "resource",
                    ["type", "id", "deleted", "version", "last_updated"])


def downgrade() -> None:
    op.drop_index("ix_resource_state", "resource")
