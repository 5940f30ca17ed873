"""Threshold alerts on available capacity: "tell me when available adult intensive-care beds
in the Aisne fall below 3".

An alert sums the current availability figures (status 02, temporality 01, beds or places)
of the places of a département or region, optionally only those holding offers of given
activities, and keeps a state, above or below its threshold. A write of a place checks the
alerts of its département and region in the writer's transaction (``after_place_write``);
``check_all`` catches up with what changed otherwise (offers, imports), on a schedule. A
change of state is recorded by a conditional update, so exactly one delivery is queued per
crossing, whichever of concurrent writers makes it — "below" when the sum falls under the
threshold, "recovered" when it comes back to it or over. Deliveries: capacity.webhooks.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import WRITE_ALL, Caller
from openror.errors import Forbidden, InvalidInput, NotFound, error
from openror.fhir.profiles import region_of
from openror.store import rawsql, transaction_memo, visibility
from openror.store.alert_tables import alert_delivery, capacity_alert
from openror.store.capacity_history import departement_of
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.store.search_tables import search_capacity, search_token

ABOVE, BELOW, UNKNOWN = "above", "below", "unknown"


@dataclass(frozen=True)
class AlertSpec:
    name: str
    region: str | None
    departement: str | None
    activities: tuple[str, ...]
    nature: str
    below: int
    url: str


def parse_spec(body: Mapping[str, Any]) -> AlertSpec:
    """An alert from its JSON; every mistake named by its field."""
    def text(name: str, required: bool = False) -> str | None:
        value = body.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise _invalid(name, f"'{name}' must be a non-empty string")
        return value.strip()

    url = text("url", required=True) or ""
    if not url.startswith(("https://", "http://")):
        raise _invalid("url", "'url' must be an http(s) URL that accepts POST")
    below = body.get("below")
    if not isinstance(below, int) or isinstance(below, bool) or below < 1:
        raise _invalid("below", "'below' must be a whole number of beds or places, at least 1")
    region, departement = text("region"), text("departement")
    if (region is None) == (departement is None):
        raise _invalid("departement", "give either 'departement' (e.g. \"02\") or 'region'")
    activities = body.get("activities", [])
    if not isinstance(activities, list) or not all(isinstance(a, str) for a in activities):
        raise _invalid("activities", "'activities' must be a list of TRE_R211 codes")
    nature = text("nature") or "01"
    if nature not in ("01", "02"):
        raise _invalid("nature", "'nature' is 01 (beds) or 02 (places)")
    return AlertSpec(text("name", required=True) or "", region, departement,
                     tuple(sorted(set(activities))), nature, below, url)


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([error("invalid", message, field)])


def may_manage(caller: Caller, spec: AlertSpec | None = None) -> None:
    """Alerts sum every place's figures: profiles 1 and 4, which see them all."""
    if caller.profile not in (1, 4) or caller.actor == "anonymous":
        raise Forbidden([error("forbidden", "capacity alerts are for access profiles 1 and "
                               "4, which see every availability figure")])
    if spec is not None and caller.regions and spec.region not in caller.regions \
            and not (spec.departement and _departement_in(spec.departement, caller.regions)):
        raise Forbidden([error("forbidden", "this alert watches beyond your regions")])


def _departement_in(departement: str, regions: frozenset[str]) -> bool:
    from openror.geo import current_gazetteer
    rows = current_gazetteer().rows
    found = next((d for d in rows.departements if d.code == departement), None)
    return found is not None and found.region in regions


class Alerts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, spec: AlertSpec, caller: Caller) -> dict[str, Any]:
        may_manage(caller, spec)
        row = {"id": str(uuid.uuid4()), "owner": caller.actor, "name": spec.name,
               "region": spec.region, "departement": spec.departement,
               "activities": ",".join(spec.activities), "nature": spec.nature,
               "below": spec.below, "url": spec.url, "secret": secrets.token_urlsafe(32),
               "state": UNKNOWN, "total": None, "created_at": utcnow()}
        with self.db.write() as conn:
            conn.execute(capacity_alert.insert().values(**row))
            _check(conn, row)  # its first state: an alert is due if already below
            checked = conn.execute(sa.select(capacity_alert).where(
                capacity_alert.c.id == row["id"])).mappings().one()
        return {**shown(dict(checked)), "secret": row["secret"]}

    def of(self, caller: Caller) -> list[dict[str, Any]]:
        may_manage(caller)
        with self.db.read() as conn:
            return [shown(dict(r._mapping)) for r in conn.execute(
                _owned(sa.select(capacity_alert), caller).order_by(capacity_alert.c.created_at))]

    def delete(self, alert_id: str, caller: Caller) -> None:
        may_manage(caller)
        with self.db.write() as conn:
            done = conn.execute(_owned(capacity_alert.delete(), caller).where(
                capacity_alert.c.id == alert_id)).rowcount
            if not done:
                raise NotFound([error("not-found", f"no alert {alert_id} of yours")])
            conn.execute(alert_delivery.delete().where(alert_delivery.c.alert_id == alert_id))

    def deliveries(self, alert_id: str, caller: Caller) -> list[dict[str, Any]]:
        may_manage(caller)
        d = alert_delivery
        with self.db.read() as conn:
            owned = conn.execute(_owned(sa.select(capacity_alert.c.id), caller).where(
                capacity_alert.c.id == alert_id)).first()
            if owned is None:
                raise NotFound([error("not-found", f"no alert {alert_id} of yours")])
            rows = conn.execute(sa.select(d).where(d.c.alert_id == alert_id).order_by(d.c.seq))
            return [_delivery(dict(r._mapping)) for r in rows]


def _owned(stmt: Any, caller: Caller) -> Any:
    return stmt if WRITE_ALL in caller.writes else stmt.where(
        capacity_alert.c.owner == caller.actor)


def shown(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "owner": row["owner"],
            "region": row["region"], "departement": row["departement"],
            "activities": [a for a in row["activities"].split(",") if a],
            "nature": row["nature"], "below": row["below"], "url": row["url"],
            "state": row["state"], "available": row["total"]}


def _delivery(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"seq": row["seq"], "crossing": row["crossing"], "status": row["status"],
            "attempts": row["attempts"], "lastError": row["last_error"],
            "createdAt": row["created_at"].isoformat() + "Z",
            "deliveredAt": row["delivered_at"] and row["delivered_at"].isoformat() + "Z",
            "payload": orjson.loads(row["payload"])}


# -- checking -------------------------------------------------------------------------------

def available_now(conn: sa.Connection, alert: Mapping[str, Any]) -> int:
    """The sum of the current availability figures the alert watches."""
    c, t = search_capacity, search_token
    area = ("departement", alert["departement"]) if alert["departement"] else \
        ("region", alert["region"])
    places = sa.select(t.c.id).where(t.c.type == "Location", t.c.param == area[0],
                                     t.c.code == area[1])
    conditions = [c.c.type == "Location", c.c.status == "02", c.c.temporality == "01",
                  c.c.nature == alert["nature"], c.c.n == 0, c.c.id.in_(places)]
    activities = frozenset(a for a in alert["activities"].split(",") if a)
    if activities:
        conditions.append(c.c.id.in_(visibility.places_of_activity(activities)))
    total = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(c.c.nb), 0)).where(
        *conditions)).scalar_one()
    return int(total)


def _check(conn: sa.Connection, alert: Mapping[str, Any]) -> None:
    total = available_now(conn, alert)
    state = BELOW if total < alert["below"] else ABOVE
    if state == alert["state"]:
        return
    a = capacity_alert
    moved = conn.execute(a.update().where(a.c.id == alert["id"], a.c.state == alert["state"])
                         .values(state=state, total=total)).rowcount
    if moved != 1 or (state == ABOVE and alert["state"] != BELOW):
        return  # another writer recorded this crossing, or a first state that is fine
    now = utcnow()
    crossing = "below" if state == BELOW else "recovered"
    payload = {**shown({**alert, "state": state, "total": total}), "crossing": crossing,
               "at": now.isoformat(timespec="seconds") + "Z"}
    conn.execute(alert_delivery.insert().values(
        alert_id=alert["id"], crossing=crossing, payload=orjson.dumps(payload),
        created_at=now, status="pending", attempts=0, next_attempt_at=now))


#: whether any alert exists at all: most instances have none, and a federation page writes a
#: thousand places in one transaction (``store.transaction_memo``)
_ANY_ALERT = "SELECT 1 FROM capacity_alert LIMIT 1"


def _any_concerned(conn: sa.Connection, departement: str | None, region: str | None) -> bool:
    """Whether an alert matches the query below: most places are watched by none, and a plain
    statement costs a fraction of building that query (profiled on the capacity feed). An
    absent value matches NULL, as SQLAlchemy's ``== None`` does."""
    where = " OR ".join(f"{column} IS NULL" if value is None else f"{column} = :{column}"
                        for column, value in (("departement", departement), ("region", region)))
    found = rawsql.run(conn, f"SELECT 1 FROM capacity_alert WHERE {where} LIMIT 1",
                       {"departement": departement, "region": region})
    return found.fetchone() is not None


def after_place_write(conn: sa.Connection, rtype: str, rid: str,
                      body: dict[str, Any] | None) -> None:
    """The write path's hook: check the alerts of the written place's département and
    region (a deleted place: every alert)."""
    if rtype != "Location":
        return
    if not transaction_memo.remembered(conn, _ANY_ALERT, lambda: rawsql.run(
            conn, _ANY_ALERT, {}).fetchone() is not None):
        return
    a = capacity_alert
    stmt = sa.select(a)
    if body is not None:
        departement = departement_of(body)
        region = region_of(body)
        if not _any_concerned(conn, departement, region):
            return
        stmt = stmt.where(sa.or_(a.c.departement == departement, a.c.region == region))
    for alert in conn.execute(stmt).mappings().all():
        _check(conn, dict(alert))


def check_all(db: Database) -> None:
    with db.read() as conn:  # most often none: no write lock taken for nothing
        if conn.execute(sa.select(capacity_alert.c.id).limit(1)).first() is None:
            return
    with db.write() as conn:
        for alert in conn.execute(sa.select(capacity_alert)).mappings().all():
            _check(conn, dict(alert))
