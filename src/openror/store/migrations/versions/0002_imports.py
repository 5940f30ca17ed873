"""Import runs and their staged records (resumable phases).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("paths", sa.Text, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("applied_seq", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
    )
    op.create_table(
        "import_stage",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("key_system", sa.String(255), nullable=False),
        sa.Column("key_value", sa.String(255), nullable=False),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("record", sa.LargeBinary, nullable=False),
        sa.Column("checked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "import_order",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("pos", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_order")
    op.drop_table("import_stage")
    op.drop_table("import_run")
