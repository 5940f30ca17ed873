"""Reference index without the path: it is found from the referrer when needed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reference_index") as batch:
        batch.drop_column("path")


def downgrade() -> None:
    with op.batch_alter_table("reference_index") as batch:
        batch.add_column(sa.Column("path", sa.String(255), nullable=False, server_default=""))
