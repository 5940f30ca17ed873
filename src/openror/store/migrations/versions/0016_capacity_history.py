"""Every capacity figure over time, derived from the versions of the places.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_CODE = sa.String(8)


def upgrade() -> None:
    op.create_table(
        "capacity_history",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("place_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=True),
        sa.Column("region", _CODE, nullable=True),
        sa.Column("departement", _CODE, nullable=True),
        *(sa.Column(column, _CODE, nullable=True) for column in (
            "nature", "status", "temporality", "gender", "closing", "additional", "crisis",
            "assignment")),
        sa.Column("nb", sa.Integer, nullable=True),
        sa.Column("source", _CODE, nullable=True),
    )
    op.create_index("ix_capacity_history_place", "capacity_history", ["place_id", "seq"])
    op.create_index("ix_capacity_history_departement", "capacity_history",
                    ["departement", "recorded_at"])
    op.create_index("ix_capacity_history_region", "capacity_history",
                    ["region", "recorded_at"])
    from openror.store.capacity_history import rebuild
    rebuild(op.get_bind())  # the places written before this version


def downgrade() -> None:
    op.drop_table("capacity_history")
