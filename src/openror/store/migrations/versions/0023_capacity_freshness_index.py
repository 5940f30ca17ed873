"""An index of the availability figures' update dates, for the capacity freshness counts of
``/-/metrics`` (store.freshness_counts): counting them reads this index alone, a tenth of a
second for 660,000 figures, instead of every capacity row (3.4 s on SQLite).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_AVAILABLE = sa.text("status = '02'")


def upgrade() -> None:
    op.create_index("ix_search_capacity_available_updated", "search_capacity",
                    ["type", "status", "n", "updated_low"], sqlite_where=_AVAILABLE,
                    postgresql_where=_AVAILABLE)


def downgrade() -> None:
    op.drop_index("ix_search_capacity_available_updated", "search_capacity")
