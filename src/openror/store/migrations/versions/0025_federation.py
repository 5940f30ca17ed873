"""Federation sources and their cursors, the owner of each federated resource, and the
changes not applied (store.federation_tables).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "federation_source",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("client_id", sa.String(80), nullable=False),
        sa.Column("secret_file", sa.String(2000), nullable=False),
        sa.Column("cert_file", sa.String(2000), nullable=True),
        sa.Column("key_file", sa.String(2000), nullable=True),
        sa.Column("precedence", sa.Integer, nullable=False),
        sa.Column("cursor", _SEQ, nullable=False),
        sa.Column("applied", _SEQ, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("last_run_at", sa.DateTime, nullable=True),
        sa.Column("last_success_at", sa.DateTime, nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
    )
    op.create_table(
        "federation_owner",
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("seq", _SEQ, nullable=False),
    )
    op.create_index("ix_federation_owner_source", "federation_owner", ["source", "type"])
    op.create_table(
        "federation_conflict",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("seq", _SEQ, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
    )


def downgrade() -> None:
    for table in ("federation_conflict", "federation_owner", "federation_source"):
        op.drop_table(table)
