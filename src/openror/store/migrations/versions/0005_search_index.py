"""Search index tables and the paging snapshots; existing resources are indexed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _owner() -> list[sa.Column[str]]:
    return [sa.Column("type", sa.String(64), nullable=False),
            sa.Column("id", sa.String(64), nullable=False)]


def _table(name: str, *columns: sa.Column[object], index: tuple[str, ...],
           owner: tuple[str, ...] = ("param",)) -> None:
    op.create_table(name, *_owner(), *columns)
    op.create_index(f"ix_{name}", name, ["type", *index])
    op.create_index(f"ix_{name}_owner", name, ["type", "id", *owner])


def upgrade() -> None:
    _table("search_token", sa.Column("param", sa.String(64), nullable=False),
           sa.Column("grp", sa.Integer, nullable=False),
           sa.Column("system", sa.String(255), nullable=False),
           sa.Column("code", sa.String(255), nullable=False),
           index=("param", "code", "system", "id", "grp"), owner=("param", "code"))
    _table("search_string", sa.Column("param", sa.String(64), nullable=False),
           sa.Column("value", _text(255), nullable=False),
           sa.Column("exact", sa.String(255), nullable=False),
           index=("param", "value", "id"), owner=("param", "value"))
    _table("search_date", sa.Column("param", sa.String(64), nullable=False),
           sa.Column("grp", sa.Integer, nullable=False),
           sa.Column("low", _text(26), nullable=False),
           sa.Column("high", _text(26), nullable=False),
           index=("param", "low", "high", "id"), owner=("param", "low", "high"))
    _table("search_number", sa.Column("param", sa.String(64), nullable=False),
           sa.Column("grp", sa.Integer, nullable=False),
           sa.Column("value", sa.Float, nullable=False),
           sa.Column("system", sa.String(255), nullable=False),
           sa.Column("unit", sa.String(64), nullable=False),
           sa.Column("raw", sa.Float, nullable=False),
           index=("param", "value", "id"), owner=("param", "value"))
    _search_ref()
    _table("search_geo", sa.Column("lat", sa.Float, nullable=False),
           sa.Column("lon", sa.Float, nullable=False), index=("lat", "lon", "id"),
           owner=("lat", "lon"))
    _table("search_word", sa.Column("word", _text(64), nullable=False),
           sa.Column("weight", sa.Integer, nullable=False), index=("word", "id", "weight"),
           owner=("word", "weight"))
    _snapshots()
    _index_existing()


def _search_ref() -> None:
    op.create_table("search_ref", *_owner(), sa.Column("param", sa.String(64), nullable=False),
                    sa.Column("target_type", sa.String(64), nullable=False),
                    sa.Column("target_id", sa.String(64), nullable=False))
    op.create_index("ix_search_ref_target", "search_ref",
                    ["target_type", "target_id", "type", "param", "id"])
    op.create_index("ix_search_ref_owner", "search_ref", ["type", "id", "param", "target_id"])


def _snapshots() -> None:
    op.create_table(
        "search_snapshot",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("matches", sa.LargeBinary, nullable=False),
        sa.Column("total", sa.Integer, nullable=True),
    )
    op.create_index("ix_search_snapshot_created", "search_snapshot", ["created_at"])


def _index_existing() -> None:
    """A data step: index what is already stored, with the indexing code of this release."""
    from openror.store import statistics
    from openror.store.derived import rebuild_tables

    rebuild_tables(op.get_bind(), ("search_token", "search_string", "search_date",
                                   "search_number", "search_ref", "search_geo", "search_word"))
    statistics.refresh(op.get_bind())


def downgrade() -> None:
    for name in ("search_snapshot", "search_word", "search_geo", "search_ref", "search_number",
                 "search_date", "search_string", "search_token"):
        op.drop_table(name)
