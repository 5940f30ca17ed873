"""Positions indexed by grid cell, for ``near``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: the expression of ``store.search_tables.geo_cell``, as the queries spell it
CELL = "(floor((lat + 90) * 10) * 3600 + floor((lon + 180) * 10))"


def upgrade() -> None:
    op.create_index("ix_search_geo_cell", "search_geo",
                    ["type", sa.text(CELL), "lat", "lon", "id"])


def downgrade() -> None:
    op.drop_index("ix_search_geo_cell", "search_geo")
