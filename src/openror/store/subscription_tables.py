"""FHIR Subscriptions (sync.subscriptions): the subscriptions, which resources currently match
each one, the notifications queued in the writer's transaction, and the log of every
delivery attempt."""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")

subscription = sa.Table(
    "subscription", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(80), nullable=False),  # the owner, an API client
    sa.Column("status", sa.String(16), nullable=False),  # active | error | off
    sa.Column("rtype", sa.String(64), nullable=False),  # the type its criteria are on
    sa.Column("criteria", sa.String(2000), nullable=False),
    sa.Column("endpoint", sa.String(2000), nullable=False),
    sa.Column("payload", sa.String(64), nullable=True),  # None: id-only notifications
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # the Subscription as stored (no secret)
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("failures", sa.Integer, nullable=False),  # consecutive failed notifications
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
sa.Index("ix_subscription_type", subscription.c.rtype, subscription.c.status)
sa.Index("ix_subscription_client", subscription.c.client_id)

#: the resources that matched a subscription at their last write: their deletion is notified
subscription_match = sa.Table(
    "subscription_match", metadata,
    sa.Column("subscription_id", sa.String(64), primary_key=True),
    sa.Column("resource_type", sa.String(64), primary_key=True),
    sa.Column("resource_id", sa.String(64), primary_key=True),
)
sa.Index("ix_subscription_match_resource", subscription_match.c.resource_type,
         subscription_match.c.resource_id)

subscription_notification = sa.Table(
    "subscription_notification", metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("subscription_id", sa.String(64), nullable=False),
    sa.Column("resource_type", sa.String(64), nullable=False),
    sa.Column("resource_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("event", sa.String(16), nullable=False),  # create | update | delete
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
)
sa.Index("ix_subscription_notification_due", subscription_notification.c.status,
         subscription_notification.c.next_attempt_at)
sa.Index("ix_subscription_notification_sub", subscription_notification.c.subscription_id,
         subscription_notification.c.seq)

subscription_attempt = sa.Table(
    "subscription_attempt", metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("notification_seq", sa.BigInteger, nullable=False),
    sa.Column("subscription_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("error", sa.String(500), nullable=True),  # None: delivered
)
sa.Index("ix_subscription_attempt_sub", subscription_attempt.c.subscription_id,
         subscription_attempt.c.seq)
