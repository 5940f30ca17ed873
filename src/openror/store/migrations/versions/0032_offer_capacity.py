"""The capacity records of an offer's places next to its activities, for the correlated
capacity search (store.offer_capacity); filled from the index rows already stored.

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

TOKENS = ("status", "nature", "temporality", "gender", "closing", "additional", "crisis",
          "assignment")


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_offer_capacity",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(255), nullable=False),
        sa.Column("code", sa.String(255), nullable=False),
        sa.Column("location_id", sa.String(64), nullable=False),
        sa.Column("grp", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        *(column for name in TOKENS for column in (
            sa.Column(name, sa.String(255), nullable=True),
            sa.Column(f"{name}_system", sa.String(255), nullable=True))),
        sa.Column("nb", sa.Float, nullable=True),
        sa.Column("updated_low", _text(26), nullable=True),
        sa.Column("updated_high", _text(26), nullable=True),
    )
    _fill()  # before the indexes: one sorted pass each, rather than rows inserted into them
    op.create_index("ix_search_offer_capacity", "search_offer_capacity",
                    ["code", "status", "nature", "temporality", "gender", "nb",
                     "status_system", "nature_system", "temporality_system", "gender_system",
                     "system", "id"])
    op.create_index("ix_search_offer_capacity_offer", "search_offer_capacity", ["id"])
    op.create_index("ix_search_offer_capacity_place", "search_offer_capacity",
                    ["location_id"])
    op.execute("ANALYZE search_offer_capacity")


def _fill() -> None:
    """A data step, with the code of this release."""
    from openror.store import offer_capacity

    offer_capacity.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("search_offer_capacity")
