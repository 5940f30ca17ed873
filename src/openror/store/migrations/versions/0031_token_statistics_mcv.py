"""PostgreSQL: the combined statistics of token rows keep only their most common values.

Migration 0009 made statistics of every kind on (type, param, code, system) and 0029 raised
their sample to 300,000 rows. For a search's equality and IN clauses on those columns the
planner uses the most-common-values list; the functional dependencies serve only clauses the
list does not cover (none here) and the distinct counts only GROUP BY on those columns (no
search groups by them). Computing those two over four columns was most of ANALYZE's time:
24.5 s against 3.1 s for the same 951,014 token rows (93,459 resources), with the same
estimates (120 codes of 2 to 44,538 rows each: the same ratios to the true counts, and the
same estimate of 1 row for codes outside the list). After a bulk load, the statistics are
recomputed (store.statistics.after_bulk_load): those seconds were a tenth of a federation
catch-up.

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

TARGET = 1000  # as set by migration 0029


def _statistics(kinds: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_search_token")
    op.execute(f"CREATE STATISTICS st_search_token {kinds} ON type, param, code, system "
               "FROM search_token")
    op.execute(f"ALTER STATISTICS st_search_token SET STATISTICS {TARGET}")
    op.execute("ANALYZE search_token")


def upgrade() -> None:
    _statistics("(mcv)")


def downgrade() -> None:
    _statistics("")
