"""Deliver the queued notifications: claim the due ones, POST each signed to its endpoint,
log the attempt, retry with backoff (services.webhooks), and turn off a subscription whose
notifications keep failing.

A notification is a ``history`` Bundle of one entry: the resource's reference, version and
event (``request.method`` POST, PUT or DELETE, and the event code in an extension), and the
resource itself, redacted for the owner, when the subscription asked for
``application/fhir+json``. After ``MAX_ATTEMPTS`` failed attempts a notification fails; after
``max_failures`` consecutive failed notifications the subscription goes to status ``error``
with the reason, its owner's contacts get a mail, and nothing more is sent until the owner
sets it active again (its pending notifications are then sent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from openror.services.webhooks import LEASE, Post, backoff, http_post, send_signed
from openror.store import outbox
from openror.store.database import Database
from openror.store.read_policy import shown
from openror.store.resources import utcnow
from openror.store.schema import resource_version
from openror.store.subscription_tables import (
    subscription,
    subscription_attempt,
    subscription_notification,
)
from openror.sync.subscriptions.owners import owner_caller
from openror.sync.subscriptions.resource import FULL, mail_contacts

MAX_ATTEMPTS = 8
BATCH = 100
EVENT_URL = "https://openror.org/fhir/StructureDefinition/subscription-event"
_METHOD = {"create": ("POST", "201"), "update": ("PUT", "200"), "delete": ("DELETE", "200")}


def deliver_due(db: Database, max_failures: int = 8, post: Post = http_post,
                now: datetime | None = None) -> int:
    """Send every notification whose attempt is due; return how many were delivered."""
    now = now or utcnow()
    delivered = 0
    for row in _claim_due(db, now):
        body = _payload(db, row)
        headers = {"Content-Type": "application/fhir+json",
                   "X-OpenROR-Event": "subscription-notification",
                   "X-OpenROR-Subscription": row["subscription_id"],
                   "X-OpenROR-Delivery": str(row["seq"]), **dict(_headers(row))}
        failure = send_signed(post, row["endpoint"], body, row["secret"], headers)
        _record(db, row, failure, now, max_failures)
        delivered += failure is None
    return delivered


def _claim_due(db: Database, now: datetime) -> list[dict[str, Any]]:
    n, s = subscription_notification, subscription
    due_query = (sa.select(n.c.seq, n.c.next_attempt_at, n.c.attempts, n.c.subscription_id,
                           n.c.resource_type, n.c.resource_id, n.c.version, n.c.event,
                           n.c.created_at, s.c.endpoint, s.c.secret, s.c.payload, s.c.body,
                           s.c.client_id)
                 .join(s, s.c.id == n.c.subscription_id)
                 .where(n.c.status == "pending", n.c.next_attempt_at <= now,
                        s.c.status == "active")
                 .order_by(n.c.seq).limit(BATCH))
    with db.read() as conn:  # most often none due: no write lock taken for nothing
        if conn.execute(due_query.limit(1)).first() is None:
            return []
    claimed: list[dict[str, Any]] = []
    with db.write() as conn:
        for row in conn.execute(due_query).mappings().all():
            took = conn.execute(n.update().where(
                n.c.seq == row["seq"], n.c.next_attempt_at == row["next_attempt_at"])
                .values(next_attempt_at=now + LEASE)).rowcount
            if took == 1:
                claimed.append(dict(row))
    return claimed


def _headers(row: dict[str, Any]) -> list[tuple[str, str]]:
    lines = orjson.loads(row["body"])["channel"].get("header", [])
    return [(name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines)]


def _payload(db: Database, row: dict[str, Any]) -> bytes:
    method, status = _METHOD[row["event"]]
    reference = f"{row['resource_type']}/{row['resource_id']}"
    entry: dict[str, Any] = {
        "extension": [{"url": EVENT_URL, "valueCode": row["event"]}],
        "request": {"method": method, "url": reference},
        "response": {"status": status, "etag": f'W/"{row["version"]}"'}}
    if row["payload"] == FULL and row["event"] != "delete":
        content = _content(db, row)
        if content is not None:
            entry["resource"] = orjson.Fragment(content)
    return orjson.dumps({"resourceType": "Bundle", "id": str(row["seq"]), "type": "history",
                         "timestamp": row["created_at"].isoformat() + "Z",
                         "link": [{"relation": "subscription",
                                   "url": f"Subscription/{row['subscription_id']}"}],
                         "entry": [entry]})


def _content(db: Database, row: dict[str, Any]) -> bytes | None:
    """The notified version as the owner may read it now (None: it may no longer)."""
    v = resource_version
    with db.read() as conn:
        owner = owner_caller(conn, row["client_id"])
        content = conn.execute(sa.select(v.c.content).where(
            v.c.type == row["resource_type"], v.c.id == row["resource_id"],
            v.c.version == row["version"])).scalar()
        if owner is None or content is None:
            return None
        served: bytes = shown(conn, owner, row["resource_type"], row["resource_id"], content)
        return served


def _record(db: Database, row: dict[str, Any], failure: str | None, now: datetime,
            max_failures: int) -> None:
    n, s = subscription_notification, subscription
    attempts = row["attempts"] + 1
    if failure is None:
        values: dict[str, Any] = {"status": "delivered", "delivered_at": now}
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": "failed"}
    else:
        values = {"next_attempt_at": now + backoff(attempts)}
    with db.write() as conn:
        conn.execute(subscription_attempt.insert().values(
            notification_seq=row["seq"], subscription_id=row["subscription_id"], at=now,
            error=failure))
        conn.execute(n.update().where(n.c.seq == row["seq"]).values(
            attempts=attempts, last_error=failure, **values))
        if failure is None:
            conn.execute(s.update().where(s.c.id == row["subscription_id"]).values(failures=0))
        elif values.get("status") == "failed":
            _failed(conn, row, failure, now, max_failures)


def _failed(conn: sa.Connection, row: dict[str, Any], failure: str, now: datetime,
            max_failures: int) -> None:
    """One more failed notification; at ``max_failures`` in a row the subscription stops."""
    s = subscription
    conn.execute(s.update().where(s.c.id == row["subscription_id"])
                 .values(failures=s.c.failures + 1))
    sub = conn.execute(sa.select(s.c.failures, s.c.status, s.c.body).where(
        s.c.id == row["subscription_id"])).one()
    if sub.failures < max_failures or sub.status != "active":
        return
    reason = (f"disabled after {sub.failures} consecutive failed notifications "
              f"(last: {failure}); set status active to resume")
    conn.execute(s.update().where(s.c.id == row["subscription_id"], s.c.status == "active")
                 .values(status="error", error=reason, updated_at=now,
                         version=s.c.version + 1))
    for address in mail_contacts(orjson.loads(sub.body)):
        outbox.queue(conn, address, "OpenROR : abonnement suspendu",
                     _notice(row, sub.failures, failure), now)


def _notice(row: dict[str, Any], failures: int, failure: str) -> str:
    return (f"Bonjour,\n\nL'abonnement Subscription/{row['subscription_id']} a été suspendu "
            f"(statut « error ») : {failures} notifications de suite n'ont pas pu être "
            f"remises à {row['endpoint']} (dernière erreur : {failure}).\n\n"
            "Les notifications en attente sont conservées. Une fois le point de réception "
            "rétabli, remettez l'abonnement au statut « active » (PUT Subscription/…) pour "
            "les recevoir.\n\nOpenROR\n")
