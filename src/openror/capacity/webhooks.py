"""Webhook deliveries of capacity alerts: signed, retried with backoff, logged.

Each delivery is a POST of the JSON payload with ``X-OpenROR-Signature: sha256=<HMAC-SHA256
of the body with the alert's secret>``, ``X-OpenROR-Delivery`` (its number, stable across
retries, for the receiver to drop duplicates) and ``X-OpenROR-Event: capacity-alert``. A 2xx
answer delivers it; anything else (or no answer) is retried after 30 s, 1, 2, 4… minutes, at
most ``MAX_ATTEMPTS`` times, then marked failed. Deliveries are at least once: a receiver may
see one twice (after a timeout whose request did arrive), never none while attempts remain.
Several workers share the queue: each claims a delivery by moving its next attempt forward
in one conditional update before sending it. The signature and the retry schedule are shared
with subscriptions (services.webhooks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.services.webhooks import LEASE, Post, backoff, http_post, send_signed
from openror.store.alert_tables import alert_delivery, capacity_alert
from openror.store.database import Database
from openror.store.resources import utcnow

MAX_ATTEMPTS = 8


def deliver_due(db: Database, post: Post = http_post, now: datetime | None = None) -> int:
    """Send every delivery whose attempt is due; return how many were delivered."""
    now = now or utcnow()
    delivered = 0
    for row in _claim_due(db, now):
        headers = {"Content-Type": "application/json", "X-OpenROR-Event": "capacity-alert",
                   "X-OpenROR-Delivery": str(row["seq"])}
        failure = send_signed(post, row["url"], row["payload"], row["secret"], headers)
        _record(db, row, failure is None, failure)
        delivered += failure is None
    return delivered


def _claim_due(db: Database, now: datetime) -> list[dict[str, Any]]:
    d, a = alert_delivery, capacity_alert
    claimed: list[dict[str, Any]] = []
    with db.read() as conn:  # most often none due: no write lock taken for nothing
        if conn.execute(sa.select(d.c.seq).where(d.c.status == "pending",
                                                 d.c.next_attempt_at <= now).limit(1)
                        ).first() is None:
            return claimed
    with db.write() as conn:
        due = conn.execute(sa.select(d.c.seq, d.c.next_attempt_at, d.c.payload, d.c.attempts,
                                     a.c.url, a.c.secret)
                           .join(a, a.c.id == d.c.alert_id)
                           .where(d.c.status == "pending", d.c.next_attempt_at <= now)
                           .order_by(d.c.seq).limit(100)).mappings().all()
        for row in due:
            took = conn.execute(d.update().where(
                d.c.seq == row["seq"], d.c.next_attempt_at == row["next_attempt_at"])
                .values(next_attempt_at=now + LEASE)).rowcount
            if took == 1:
                claimed.append(dict(row))
    return claimed


def _record(db: Database, row: dict[str, Any], ok: bool, failure: str | None) -> None:
    d = alert_delivery
    attempts = row["attempts"] + 1
    now = utcnow()
    if ok:
        values: dict[str, Any] = {"status": "delivered", "delivered_at": now}
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": "failed"}
    else:
        values = {"next_attempt_at": now + backoff(attempts)}
    with db.write() as conn:
        conn.execute(d.update().where(d.c.seq == row["seq"]).values(
            attempts=attempts, last_error=failure, **values))
