"""The change feed's head and what the subscriptions have not been sent yet, for monitoring
(``/-/metrics``). Index-backed: the feed's newest entry by its primary key, the pending
notifications through their ``(status, next_attempt_at)`` index (a handful when deliveries
keep up), the subscriptions table being small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from openror.store import rawsql
from openror.store.subscription_tables import subscription, subscription_notification

#: the newest change, by a primary-key lookup whatever the statistics: SQLite planned
#: ``ORDER BY seq DESC LIMIT 1`` as a scan of the whole feed through the index on ``at``
#: once ANALYZE had sampled it (a capacity update took 5.4 instead of 1.9 ms on the demo
#: data after a few thousand updates, and more as the feed grows)
NEWEST = "SELECT seq, at FROM change_feed WHERE seq = (SELECT max(seq) FROM change_feed)"


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
    # through SQLAlchemy, which begins the transaction: a search's first read, this one
    # starts the snapshot it then sees (services.reads, search.engine, sync.export)
    row = conn.execute(sa.text(NEWEST)).first()
    return FeedHead(0, None) if row is None else FeedHead(int(row[0]), rawsql.py_time(row[1]))


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
