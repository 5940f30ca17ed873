"""PostgreSQL: finer statistics on the token rows' codes.

With the default statistics target (100), the sample of a national directory's 25 million
token rows was too small for the combined statistics (migration 0009) to know an activity of
10,000 offers: PostgreSQL expected 101 rows for one such code (10,047 in fact) and 10 for
another (473), so it started a near search from the activity's offers and probed each of
them (186 ms), where starting from the places within the radius takes 100 ms. A target of
1,000 (a sample of 300,000 rows) puts such codes in the statistics' most common values:
expected 9,556 for 10,520 (ANALYZE of that table: 25 s).

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TARGET = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER STATISTICS st_search_token SET STATISTICS {TARGET}")
        op.execute(f"ALTER TABLE search_token ALTER COLUMN code SET STATISTICS {TARGET}")
        op.execute("ANALYZE search_token")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER STATISTICS st_search_token SET STATISTICS -1")
        op.execute("ALTER TABLE search_token ALTER COLUMN code SET STATISTICS -1")
