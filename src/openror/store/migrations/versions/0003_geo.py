"""Geography imported by ``openror import geo`` (communes, départements, régions, postal names).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geo_region",
        sa.Column("code", sa.String(3), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("chef_lieu", sa.String(5), nullable=False),
    )
    op.create_table(
        "geo_departement",
        sa.Column("code", sa.String(3), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("region", sa.String(3), nullable=False),
        sa.Column("chef_lieu", sa.String(5), nullable=False),
    )
    op.create_table(
        "geo_commune",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(4), nullable=False),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("region", sa.String(3), nullable=False),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("postal_codes", sa.String(255), nullable=False),
        sa.Column("current_code", sa.String(5), nullable=False),
        sa.Column("parent", sa.String(5), nullable=False),
    )
    op.create_table(
        "geo_postal_code",
        sa.Column("postal_code", sa.String(5), primary_key=True),
        sa.Column("commune_code", sa.String(5), primary_key=True),
        sa.Column("name", sa.String(100), primary_key=True),
    )
    op.create_index("ix_geo_postal_code_commune", "geo_postal_code", ["commune_code"])


def downgrade() -> None:
    for table in ("geo_postal_code", "geo_commune", "geo_departement", "geo_region"):
        op.drop_table(table)
