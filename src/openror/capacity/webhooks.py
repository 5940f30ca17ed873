"""Webhook deliveries of capacity alerts: signed, retried with backoff, logged.

Each delivery is a POST of the JSON payload with ``X-OpenROR-Signature: sha256=<HMAC-SHA256
of the body with the alert's secret>``, ``X-OpenROR-Delivery`` (its number, stable across
retries, for the receiver to drop duplicates) and ``X-OpenROR-Event: capacity-alert``. A 2xx
answer delivers it; anything else (or no answer) is retried after 30 s, 1, 2, 4… minutes, at
most ``MAX_ATTEMPTS`` times, then marked failed. Deliveries are at least once: a receiver may
see one twice (after a timeout whose request did arrive), never none while attempts remain.
Several workers share the queue: each claims a delivery by moving its next attempt forward
in one conditional update before sending it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from openror.store.alert_tables import alert_delivery, capacity_alert
from openror.store.database import Database
from openror.store.resources import utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # a claimed delivery is not taken by another worker before
TIMEOUT = 10.0

Post = Callable[[str, bytes, dict[str, str]], int]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT).status_code


def deliver_due(db: Database, post: Post = http_post, now: datetime | None = None) -> int:
    """Send every delivery whose attempt is due; return how many were delivered."""
    now = now or utcnow()
    delivered = 0
    for row in _claim_due(db, now):
        headers = {"Content-Type": "application/json", "X-OpenROR-Event": "capacity-alert",
                   "X-OpenROR-Delivery": str(row["seq"]),
                   "X-OpenROR-Signature": sign(row["secret"], row["payload"])}
        try:
            status, failure = post(row["url"], row["payload"], headers), None
        except httpx.HTTPError as exc:
            status, failure = 0, f"{type(exc).__name__}: {exc}"[:500]
        ok = 200 <= status < 300
        _record(db, row, ok, failure or (None if ok else f"HTTP {status}"))
        delivered += ok
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
