"""Reading the capacity history (store.capacity_history) as a caller may: the places it
may see, the statuses its access profile shows (SPEC.md §3.8: none for profile 0, installed
only for profile 5, no supplementary beds for profiles 2 and 3, medico-social places only for
profile 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from openror.access import policy
from openror.access.caller import Caller
from openror.access.policy import Capacities
from openror.store import visibility
from openror.store.capacity_history import COLUMNS, capacity_history

#: what each capacity rule lets a caller see: statuses (None: all)
_STATUSES: dict[Capacities, frozenset[str] | None] = {
    Capacities.ALL: None,
    Capacities.NO_SUPPLEMENTARY: frozenset({"01", "02", "03", "04", "05"}),
    Capacities.INSTALLED: frozenset({policy.INSTALLED}),
    Capacities.NONE: frozenset(),
}


def visible_statuses(caller: Caller) -> frozenset[str] | None:
    """The capacity statuses the caller may read anywhere (empty: none at all)."""
    return _STATUSES[policy.field_rules(caller, medico_social=True).capacities]


@dataclass(frozen=True)
class HistoryQuery:
    place: str | None = None
    region: str | None = None
    departement: str | None = None
    activities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    since: datetime | None = None  # on the figure's update date
    until: datetime | None = None
    limit: int = 1000
    after_seq: int = 0  # paging: rows after this one


def history(conn: sa.Connection, q: HistoryQuery, caller: Caller) -> list[dict[str, Any]]:
    """The rows of the query the caller may see, oldest first."""
    t = capacity_history
    conditions = [*_scope(q), *_policy(caller), t.c.seq > q.after_seq]
    stmt = sa.select(t).where(*conditions).order_by(t.c.seq).limit(q.limit)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def _scope(q: HistoryQuery) -> list[sa.ColumnElement[bool]]:
    t = capacity_history
    found: list[sa.ColumnElement[bool]] = []
    if q.place:
        found.append(t.c.place_id == q.place)
    if q.region:
        found.append(t.c.region == q.region)
    if q.departement:
        found.append(t.c.departement == q.departement)
    if q.activities:
        found.append(t.c.place_id.in_(visibility.places_of_activity(q.activities)))
    if q.statuses:
        found.append(t.c.status.in_(sorted(q.statuses)))
    if q.since:
        found.append(t.c.updated_at >= q.since)
    if q.until:
        found.append(t.c.updated_at < q.until)
    return found


def _policy(caller: Caller) -> list[sa.ColumnElement[bool]]:
    return figure_policy(caller, capacity_history.c.place_id, capacity_history.c.status)


def figure_policy(caller: Caller, place: Any, status: Any) -> list[sa.ColumnElement[bool]]:
    """Conditions on a place id column and a capacity status column: what the caller may
    see of capacities — the statuses of its access profile, medico-social places only for
    profile 3, the places it may see at all (regions, sensitive units). The history and the
    dashboard's current figures alike."""
    found: list[sa.ColumnElement[bool]] = []
    statuses = visible_statuses(caller)
    if statuses is not None:
        found.append(status.in_(sorted(statuses)) if statuses else sa.false())
    if caller.profile == 3:
        found.append(place.in_(
            visibility.places_of_fields(frozenset({policy.FIELD_MEDICO_SOCIAL}))))
    hidden = visibility.visible("Location", caller, place)
    if hidden is not None:
        found.append(hidden)
    return found


INDICATOR_COLUMNS = tuple(COLUMNS.values())
