"""The change feed's head and what the subscriptions have not been sent yet, for monitoring
(``/-/metrics``). Index-backed: the feed's newest entry by its primary key, the pending
notifications through their ``(status, next_attempt_at)`` index (a handful when deliveries
keep up), the subscriptions table being small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store.schema import change_feed
from openror.store.subscription_tables import subscription, subscription_notification


@dataclass(frozen=True)
class FeedHead:
    seq: int  # 0: an empty feed
    at: datetime | None


@dataclass(frozen=True)
class Pending:
    """Notifications not delivered yet (waiting for their first attempt or a retry)."""

    count: int
    oldest: datetime | None  # when the oldest of them was queued


def feed_head(conn: sa.Connection) -> FeedHead:
    f = change_feed
    row = conn.execute(sa.select(f.c.seq, f.c.at).order_by(f.c.seq.desc()).limit(1)).first()
    return FeedHead(0, None) if row is None else FeedHead(int(row.seq), row.at)


def subscriptions_by_status(conn: sa.Connection) -> dict[str, int]:
    s = subscription
    return {status: int(count) for status, count in conn.execute(
        sa.select(s.c.status, sa.func.count()).group_by(s.c.status))}


def pending_by_status(conn: sa.Connection) -> dict[str, Pending]:
    """Subscription status (active, error, off) -> its subscriptions' pending
    notifications. Those of a subscription in error wait on purpose, until its owner
    resumes it."""
    n, s = subscription_notification, subscription
    rows = conn.execute(sa.select(s.c.status, sa.func.count(), sa.func.min(n.c.created_at))
                        .select_from(n).join(s, s.c.id == n.c.subscription_id)
                        .where(n.c.status == "pending").group_by(s.c.status))
    return {status: Pending(int(count), oldest) for status, count, oldest in rows}
