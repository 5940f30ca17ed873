"""People: accounts and their roles with scope.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(200), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("practitioner_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("disabled_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_user_account_email", "user_account", ["email"])
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"),
                  primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("granted_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_role")
    op.drop_index("ix_user_account_email", "user_account")
    op.drop_table("user_account")
