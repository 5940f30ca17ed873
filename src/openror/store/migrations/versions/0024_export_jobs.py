"""Bulk export jobs ($export): the shared state of each job (store.export_tables).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("caller", sa.Text, nullable=False),
        sa.Column("request", sa.String(4000), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("progress", sa.String(500), nullable=True),
        sa.Column("transaction_time", sa.DateTime, nullable=True),
        sa.Column("directory", sa.String(200), nullable=True),
        sa.Column("output", sa.Text, nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("expires_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_export_job_status", "export_job", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_table("export_job")
