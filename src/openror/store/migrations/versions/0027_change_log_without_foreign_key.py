"""The change log without its foreign key to the change feed.

Each log row is written with its feed entry, in the same statements of the same transaction
(``store.resources.number``, ``services.bulk``), and nothing deletes feed entries. The key
guarded nothing the code does not, and on PostgreSQL it cost a trigger per change: 0.33 ms,
a third of an import's database time (measured on 8,766 resources; some 13 minutes of the
national import).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _change_log(*, foreign_key: bool) -> sa.Table:
    """The table as 0001 made it, with or without the key (SQLite rebuilds it from this)."""
    seq = [sa.ForeignKey("change_feed.seq")] if foreign_key else []
    table = sa.Table(
        "change_log", sa.MetaData(),
        sa.Column("seq", Seq, *seq, primary_key=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("batch_id", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("before_version", sa.Integer, nullable=True),
        sa.Column("after_version", sa.Integer, nullable=False),
    )
    sa.Index("ix_change_log_batch", table.c.batch_id)
    return table


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("change_log_seq_fkey", "change_log", type_="foreignkey")
        return
    with op.batch_alter_table("change_log", copy_from=_change_log(foreign_key=False),
                              recreate="always"):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("change_log_seq_fkey", "change_log", "change_feed", ["seq"],
                              ["seq"])
        return
    with op.batch_alter_table("change_log", copy_from=_change_log(foreign_key=True),
                              recreate="always"):
        pass
