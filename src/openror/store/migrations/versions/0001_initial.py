"""Initial store: resources, versions, change feed, change log, derived indexes, counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resource",
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("region", sa.String(8), nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "change_feed",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_feed_type_seq", "change_feed", ["type", "seq"])
    op.create_index("ix_change_feed_at", "change_feed", ["at"])
    op.create_index("ix_change_feed_resource", "change_feed", ["type", "id", "seq"])
    op.create_table(
        "resource_version",
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("seq", Seq, nullable=False, unique=True),
        sa.Column("content", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "change_log",
        sa.Column("seq", Seq, sa.ForeignKey("change_feed.seq"), primary_key=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("batch_id", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("before_version", sa.Integer, nullable=True),
        sa.Column("after_version", sa.Integer, nullable=False),
    )
    op.create_index("ix_change_log_batch", "change_log", ["batch_id"])
    op.create_table(
        "identifier_index",
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_index("ix_identifier_lookup", "identifier_index", ["type", "value"])
    op.create_index("ix_identifier_owner", "identifier_index", ["type", "id"])
    op.create_table(
        "reference_index",
        sa.Column("source_type", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("target_type", sa.String(64), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_reference_target", "reference_index", ["target_type", "target_id"])
    op.create_index("ix_reference_source", "reference_index", ["source_type", "source_id"])
    op.create_table(
        "counter",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "nos_release",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "properties",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("properties", "nos_release", "counter", "reference_index", "identifier_index",
                  "change_log", "resource_version", "change_feed", "resource"):
        op.drop_table(table)
