"""Each caller's last write position, for read-your-writes on streaming replicas
(store.write_positions). Unused on SQLite, which has no replicas.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caller_write_position",
        sa.Column("caller", sa.String(200), primary_key=True),
        sa.Column("wal_position", sa.BigInteger, nullable=False),
        sa.Column("written_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("caller_write_position")
