"""FHIR Subscriptions: subscriptions, current matches, notifications, delivery attempts.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rtype", sa.String(64), nullable=False),
        sa.Column("criteria", sa.String(2000), nullable=False),
        sa.Column("endpoint", sa.String(2000), nullable=False),
        sa.Column("payload", sa.String(64), nullable=True),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_subscription_type", "subscription", ["rtype", "status"])
    op.create_index("ix_subscription_client", "subscription", ["client_id"])
    op.create_table(
        "subscription_match",
        sa.Column("subscription_id", sa.String(64), primary_key=True),
        sa.Column("resource_type", sa.String(64), primary_key=True),
        sa.Column("resource_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_subscription_match_resource", "subscription_match",
                    ["resource_type", "resource_id"])
    op.create_table(
        "subscription_notification",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("delivered_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_subscription_notification_due", "subscription_notification",
                    ["status", "next_attempt_at"])
    op.create_index("ix_subscription_notification_sub", "subscription_notification",
                    ["subscription_id", "seq"])
    op.create_table(
        "subscription_attempt",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("notification_seq", sa.BigInteger, nullable=False),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
    )
    op.create_index("ix_subscription_attempt_sub", "subscription_attempt",
                    ["subscription_id", "seq"])


def downgrade() -> None:
    for table in ("subscription_attempt", "subscription_notification", "subscription_match",
                  "subscription"):
        op.drop_table(table)
