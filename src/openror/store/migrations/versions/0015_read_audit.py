"""The audit trail of reads by API clients of profiles 1-5.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "read_audit",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("client_id", sa.String(80), nullable=False),
        sa.Column("profile", sa.Integer, nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(2000), nullable=False),
        sa.Column("query", sa.String(4000), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(100), nullable=False),
    )
    op.create_index("ix_read_audit_client_at", "read_audit", ["client_id", "at"])
    op.create_index("ix_read_audit_at", "read_audit", ["at"])


def downgrade() -> None:
    op.drop_table("read_audit")
