"""Reading anomalies (Task) for the inboxes: those a caller may see (store.visibility), filtered
by business status, theme, rule and département of the unit concerned, newest first; and the
names of the units they are about.

The département of a unit is where the last quality run placed it (quality_result: the
unit itself, or the establishment it belongs to), or the commune of a place: Tasks carry no
address of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.fhir.profiles import nos_url
from openror.store import visibility
from openror.store.quality_tables import quality_result
from openror.store.schema import resource
from openror.store.search_tables import search_ref, search_token

BUSINESS_STATUS = nos_url("TRE_R352-StatutMetierAnomalie")
THEME = nos_url("TRE_R350-ThematiqueAnomalie")


@dataclass(frozen=True)
class InboxFilter:
    statuses: frozenset[str] = frozenset()  # TRE_R352 codes; empty: any
    themes: frozenset[str] = frozenset()  # TRE_R350 codes
    rules: frozenset[str] = frozenset()  # input ruleErrorId
    departement: str | None = None
    limit: int = 200


@dataclass(frozen=True)
class StoredTask:
    id: str
    version: int
    body: dict[str, Any]


def _with_token(param: str, codes: Iterable[str], system: str | None = None) -> Any:
    t = search_token
    ids = sa.select(t.c.id).where(t.c.type == "Task", t.c.param == param,
                                  t.c.code.in_(sorted(codes)))
    return ids.where(t.c.system == system) if system else ids


def _units_in(departement: str) -> Any:
    """"<Type>/<id>" of the units placed in the département."""
    qr = quality_result.c
    t = search_token.c
    places = sa.select(sa.literal("Location/") + t.id).where(
        t.type == "Location", t.param == "departement", t.code == departement)
    return sa.union(sa.select(qr.unit).where(qr.departement == departement),
                    sa.select(qr.site).where(qr.departement == departement,
                                             qr.site.is_not(None)),
                    places)


def _about_units_in(departement: str) -> Any:
    r = search_ref.c
    return sa.select(r.id).where(r.type == "Task", r.param == "focus",
                                 (r.target_type + sa.literal("/") + r.target_id)
                                 .in_(_units_in(departement)))


def _conditions(caller: Caller, where: InboxFilter) -> list[Any]:
    found: list[Any] = [resource.c.type == "Task", resource.c.deleted.is_(False)]
    seen = visibility.visible("Task", caller, resource.c.id)
    if seen is not None:
        found.append(seen)
    if where.statuses:
        found.append(resource.c.id.in_(_with_token("business-status", where.statuses,
                                                   BUSINESS_STATUS)))
    if where.themes:
        found.append(resource.c.id.in_(_with_token("code", where.themes, THEME)))
    if where.rules:
        found.append(resource.c.id.in_(_with_token("rule", where.rules)))
    if where.departement:
        found.append(resource.c.id.in_(_about_units_in(where.departement)))
    return found


def count(conn: sa.Connection, caller: Caller, where: InboxFilter) -> int:
    stmt = sa.select(sa.func.count()).select_from(resource).where(*_conditions(caller, where))
    return int(conn.execute(stmt).scalar_one())


def tasks(conn: sa.Connection, caller: Caller, where: InboxFilter) -> list[StoredTask]:
    """The matching anomalies, the last changed first (at most ``where.limit``)."""
    r = resource.c
    stmt = (sa.select(r.id, r.version, r.content).where(*_conditions(caller, where))
            .order_by(r.last_updated.desc(), r.id).limit(where.limit))
    return [StoredTask(row.id, row.version, orjson.loads(row.content))
            for row in conn.execute(stmt)]


def task(conn: sa.Connection, caller: Caller, task_id: str) -> StoredTask | None:
    """One anomaly as it is now, if the caller may see it."""
    r = resource.c
    row = conn.execute(sa.select(r.id, r.version, r.content)
                       .where(*_conditions(caller, InboxFilter()), r.id == task_id)).first()
    return None if row is None else StoredTask(row.id, row.version, orjson.loads(row.content))


def visible_contents(conn: sa.Connection, caller: Caller, refs: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], dict[str, Any]]:
    """The current content of the resources (type, id) the caller may see."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    by_type: dict[str, set[str]] = {}
    for rtype, rid in refs:
        by_type.setdefault(rtype, set()).add(rid)
    r = resource.c
    for rtype, ids in by_type.items():
        stmt = sa.select(r.id, r.content).where(r.type == rtype, r.id.in_(sorted(ids)),
                                                 r.deleted.is_(False))
        seen = visibility.visible(rtype, caller, r.id)
        if seen is not None:
            stmt = stmt.where(seen)
        found.update({(rtype, row.id): orjson.loads(row.content)
                      for row in conn.execute(stmt)})
    return found
