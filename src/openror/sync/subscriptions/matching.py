"""Which subscriptions a write concerns, decided in the writer's transaction: a notification
row is committed with the change or not at all, so no committed change goes unnotified (at
least once) and no rolled-back one is announced.

A write (create, update) is notified to each subscription of its type whose criteria the new
version matches, as the subscription's owner may see it: active ones, and those in error too,
whose owner then gets what happened meanwhile once it resumes them (``off`` records nothing).
The match is remembered (``subscription_match``) so that a later deletion, which leaves
nothing to match against, is notified to the subscriptions the resource matched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.search.matching import matches
from openror.store import rawsql, transaction_memo
from openror.store.resources import utcnow
from openror.store.schema import resource
from openror.store.subscription_tables import (
    subscription,
    subscription_match,
    subscription_notification,
)
from openror.sync.subscriptions.owners import owner_caller

#: statuses whose subscriptions get notifications queued
RECORDING = ("active", "error")


#: whether any subscription records notifications for a type: most writes meet none, and a
#: plain statement costs a fraction of building the query below (profiled on the feed)
_ANY_RECORDING = ("SELECT 1 FROM subscription WHERE rtype = :t AND status IN ("
                  + ", ".join(f"'{status}'" for status in RECORDING) + ") LIMIT 1")


def after_write(conn: sa.Connection, rtype: str, rid: str, body: dict[str, Any] | None) -> None:
    """The write path's hook (``WritePath.after_write``)."""
    if not transaction_memo.remembered(
            conn, (_ANY_RECORDING, rtype),
            lambda: rawsql.run(conn, _ANY_RECORDING, {"t": rtype}).fetchone() is not None):
        return
    active = conn.execute(sa.select(subscription.c.id, subscription.c.client_id,
                                    subscription.c.criteria)
                          .where(subscription.c.rtype == rtype,
                                 subscription.c.status.in_(RECORDING))).all()
    if not active:
        return
    if body is None:
        _deleted(conn, rtype, rid, {row.id for row in active})
        return
    version = int(body["meta"]["versionId"])
    event = "create" if version == 1 else "update"
    owners: dict[str, Caller | None] = {}
    for row in active:
        if row.client_id not in owners:
            owners[row.client_id] = owner_caller(conn, row.client_id)
        owner = owners[row.client_id]
        pairs = parse_qsl(row.criteria.partition("?")[2], keep_blank_values=True)
        if owner is not None and matches(conn, owner, rtype, rid, pairs):
            _notify(conn, row.id, rtype, rid, version, event)
            _remember(conn, row.id, rtype, rid)
        else:
            _forget(conn, rtype, rid, row.id)


def _deleted(conn: sa.Connection, rtype: str, rid: str, recording: set[str]) -> None:
    m = subscription_match
    matched = conn.execute(sa.select(m.c.subscription_id).where(
        m.c.resource_type == rtype, m.c.resource_id == rid)).scalars().all()
    if matched:
        version = conn.execute(sa.select(resource.c.version).where(
            resource.c.type == rtype, resource.c.id == rid)).scalar_one()
        for sid in sorted(set(matched) & recording):
            _notify(conn, sid, rtype, rid, version, "delete")
    _forget(conn, rtype, rid)


def _notify(conn: sa.Connection, sid: str, rtype: str, rid: str, version: int,
            event: str) -> None:
    now = utcnow()
    conn.execute(subscription_notification.insert().values(
        subscription_id=sid, resource_type=rtype, resource_id=rid, version=version,
        event=event, created_at=now, status="pending", attempts=0, next_attempt_at=now))


def _remember(conn: sa.Connection, sid: str, rtype: str, rid: str) -> None:
    m = subscription_match
    known = conn.execute(sa.select(m.c.subscription_id).where(
        m.c.subscription_id == sid, m.c.resource_type == rtype, m.c.resource_id == rid)).first()
    if known is None:  # the writer holds the resource's row: no concurrent insert of this key
        conn.execute(m.insert().values(subscription_id=sid, resource_type=rtype,
                                       resource_id=rid))


def _forget(conn: sa.Connection, rtype: str, rid: str, sid: str | None = None) -> None:
    m = subscription_match
    stmt = m.delete().where(m.c.resource_type == rtype, m.c.resource_id == rid)
    conn.execute(stmt if sid is None else stmt.where(m.c.subscription_id == sid))
