"""Capacity records as typed rows, for correlated capacity searches; filled from the places.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TOKENS = ("status", "nature", "temporality", "gender", "closing", "additional", "crisis",
          "assignment")


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_capacity",
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("grp", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        *(column for name in TOKENS for column in (
            sa.Column(name, sa.String(255), nullable=True),
            sa.Column(f"{name}_system", sa.String(255), nullable=True))),
        sa.Column("nb", sa.Float, nullable=True),
        sa.Column("updated_low", _text(26), nullable=True),
        sa.Column("updated_high", _text(26), nullable=True),
        sa.PrimaryKeyConstraint("type", "id", "grp", "n"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_capacity", "search_capacity",
                    ["type", "status", "nature", "temporality", "id"])
    _fill()


def _fill() -> None:
    """A data step: the places already stored, with the indexing code of this release."""
    from openror.store import statistics
    from openror.store.derived import rebuild_tables

    rebuild_tables(op.get_bind(), ("search_capacity",), "Location")
    statistics.refresh(op.get_bind())


def downgrade() -> None:
    op.drop_table("search_capacity")
