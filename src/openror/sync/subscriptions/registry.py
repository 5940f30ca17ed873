"""Subscriptions as their owners manage them: create, read, update, delete, list, and the
delivery log. A subscription belongs to the API client that created it; nobody else reads or
changes it (it holds the endpoint and the headers the client chose)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import Forbidden, InvalidInput, NotFound, error
from openror.search.matching import may_search
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.subscription_tables import (
    subscription,
    subscription_attempt,
    subscription_match,
    subscription_notification,
)
from openror.sync.subscriptions.resource import Spec, parse, shown

LOG_LIMIT = 200  # notifications shown by the delivery log, newest first


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, body: Any, caller: Caller) -> dict[str, Any]:
        spec = self._checked(body, caller)
        if spec.status == "error":
            raise _bad_status()
        secret = secrets.token_urlsafe(32)
        row = {"id": str(uuid.uuid4()), "client_id": caller.client_id, "secret": secret,
               "failures": 0, "version": 1, "error": None, "updated_at": utcnow(),
               **_spec_columns(spec)}
        with self.db.write() as conn:
            conn.execute(subscription.insert().values(**row))
        return shown(row, secret)

    def read(self, sid: str, caller: Caller) -> dict[str, Any]:
        with self.db.read() as conn:
            return shown(_owned(conn, sid, caller))

    def update(self, sid: str, body: Any, caller: Caller) -> dict[str, Any]:
        spec = self._checked(body, caller)
        with self.db.write() as conn:
            current = _owned(conn, sid, caller, for_update=True)
            if spec.status == "error" and current["status"] != "error":
                raise _bad_status()
            values: dict[str, Any] = {**_spec_columns(spec), "version": current["version"] + 1,
                                      "updated_at": utcnow()}
            if spec.status != "error":  # active or off: a fresh start
                values.update(failures=0, error=None)
            if spec.criteria != current["criteria"]:  # matches of other criteria
                conn.execute(subscription_match.delete().where(
                    subscription_match.c.subscription_id == sid))
            conn.execute(subscription.update().where(subscription.c.id == sid).values(**values))
            return shown({**current, **values})

    def delete(self, sid: str, caller: Caller) -> None:
        with self.db.write() as conn:
            _owned(conn, sid, caller, for_update=True)
            for table in (subscription_attempt, subscription_notification, subscription_match):
                conn.execute(table.delete().where(table.c.subscription_id == sid))
            conn.execute(subscription.delete().where(subscription.c.id == sid))

    def of(self, caller: Caller) -> list[dict[str, Any]]:
        if caller.client_id is None:
            return []
        with self.db.read() as conn:
            rows = conn.execute(sa.select(subscription).where(
                subscription.c.client_id == caller.client_id).order_by(subscription.c.id))
            return [shown(dict(r._mapping)) for r in rows]

    def deliveries(self, sid: str, caller: Caller) -> list[dict[str, Any]]:
        """The subscription's notifications, newest first, each with its attempts."""
        n, a = subscription_notification, subscription_attempt
        with self.db.read() as conn:
            _owned(conn, sid, caller)
            notes = [dict(r._mapping) for r in conn.execute(
                sa.select(n).where(n.c.subscription_id == sid)
                .order_by(n.c.seq.desc()).limit(LOG_LIMIT))]
            attempts: dict[int, list[dict[str, Any]]] = {}
            if notes:
                for r in conn.execute(sa.select(a).where(
                        a.c.subscription_id == sid,
                        a.c.notification_seq >= notes[-1]["seq"]).order_by(a.c.seq)):
                    attempts.setdefault(r.notification_seq, []).append(
                        {"at": _time(r.at), "ok": r.error is None, "error": r.error})
        return [_notification(row, attempts.get(row["seq"], [])) for row in notes]

    def _checked(self, body: Any, caller: Caller) -> Spec:
        if caller.client_id is None:
            raise Forbidden([error("forbidden", "subscriptions belong to API clients: "
                                   "authenticate with a client's token")])
        spec = parse(body)
        may_search(caller, spec.rtype, spec.pairs)  # 403 on a field it may not read
        return spec


def _spec_columns(spec: Spec) -> dict[str, Any]:
    return {"status": spec.status, "rtype": spec.rtype, "criteria": spec.criteria,
            "endpoint": spec.endpoint, "payload": spec.payload,
            "body": orjson.dumps(spec.body).decode()}


def _owned(conn: sa.Connection, sid: str, caller: Caller,
           for_update: bool = False) -> dict[str, Any]:
    stmt = sa.select(subscription).where(subscription.c.id == sid,
                                         subscription.c.client_id == caller.client_id)
    if for_update and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    found = None if caller.client_id is None else conn.execute(stmt).first()
    if found is None:
        raise NotFound([error("not-found", f"no Subscription/{sid} of yours", "Subscription")])
    return dict(found._mapping)


def _notification(row: dict[str, Any], attempts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"delivery": row["seq"], "event": row["event"],
            "resource": f"{row['resource_type']}/{row['resource_id']}",
            "version": row["version"], "status": row["status"],
            "created_at": _time(row["created_at"]),
            "next_attempt_at": _time(row["next_attempt_at"]) if row["status"] == "pending"
            else None,
            "delivered_at": _time(row["delivered_at"]), "last_error": row["last_error"],
            "attempts": attempts}


def _time(value: Any) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _bad_status() -> InvalidInput:
    return InvalidInput([error("invalid", "status error is the server's (after repeated "
                               "failed deliveries); send active to resume or off to pause",
                               "Subscription.status")])
