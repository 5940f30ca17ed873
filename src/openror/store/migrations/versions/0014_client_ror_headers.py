"""API clients: the Ror-* header values (user profile, business role) assigned at onboarding.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_client") as batch:
        batch.add_column(sa.Column("ror_profile", sa.String(201), nullable=True))
        batch.add_column(sa.Column("ror_role", sa.String(201), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_client") as batch:
        batch.drop_column("ror_role")
        batch.drop_column("ror_profile")
