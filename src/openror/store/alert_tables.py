"""Capacity threshold alerts (capacity.alerts) and their webhook deliveries."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

capacity_alert = sa.Table(
    "capacity_alert", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),  # the actor that created it
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("region", sa.String(8), nullable=True),
    sa.Column("departement", sa.String(8), nullable=True),
    sa.Column("activities", sa.String(2000), nullable=False),  # comma-separated TRE_R211
    sa.Column("nature", sa.String(8), nullable=False),  # 01 beds, 02 places
    sa.Column("below", sa.Integer, nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("state", sa.String(8), nullable=False),  # unknown | above | below
    sa.Column("total", sa.Integer, nullable=True),  # available figure at the last check
    sa.Column("created_at", sa.DateTime, nullable=False),
)

alert_delivery = sa.Table(
    "alert_delivery", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("alert_id", sa.String(64), nullable=False),
    sa.Column("crossing", sa.String(16), nullable=False),  # below | recovered
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
)
sa.Index("ix_alert_delivery_due", alert_delivery.c.status, alert_delivery.c.next_attempt_at)
sa.Index("ix_alert_delivery_alert", alert_delivery.c.alert_id, alert_delivery.c.seq)
