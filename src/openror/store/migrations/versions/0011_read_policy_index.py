"""Read policy: mark sensitive units in the search index, and stop indexing the words of acts,
competences and equipment for `_content` (they would reveal them to profiles that may not read
them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """A data step, with the indexing code of this release."""
    from openror.store.derived import add_access_rows, rebuild_tables

    conn = op.get_bind()
    add_access_rows(conn)
    for rtype in ("HealthcareService", "Location"):
        rebuild_tables(conn, ("search_word",), rtype)


def downgrade() -> None:
    op.get_bind().exec_driver_sql("DELETE FROM search_token WHERE param = '_access'")
