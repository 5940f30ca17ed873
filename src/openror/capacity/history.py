"""The capacity history as callers read it: who may (not open data: profile 0 and anonymous
callers are refused), the query's parameters checked, rows as JSON-ready dictionaries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openror import params as query_params
from openror.access.caller import ANONYMOUS, Caller
from openror.errors import Forbidden, Unauthorized, error
from openror.store.capacity_queries import (
    INDICATOR_COLUMNS,
    HistoryQuery,
    history,
    visible_statuses,
)
from openror.store.database import Database
from openror.store.resources import parse_moment

MAX_COUNT = 1000
PARAMETERS = ("place", "region", "departement", "activity", "status", "since", "until",
              "_count", "after", "_format")


def may_read_capacities(caller: Caller) -> None:
    if caller == ANONYMOUS:
        raise Unauthorized([error("login", "capacities are not open data: send an access "
                                  "token (POST /auth/token)")])
    if visible_statuses(caller) == frozenset():
        raise Forbidden([error("forbidden", f"access profile {caller.profile} does not "
                               "include capacities (SPEC §3.8): ask for profile 1, 2, 3, 4 "
                               "or 5")])


def parse_query(params: Mapping[str, str]) -> HistoryQuery:
    query_params.refuse_unknown(params, PARAMETERS)
    place = params.get("place", "").removeprefix("Location/") or None
    return HistoryQuery(
        place=place, region=params.get("region") or None,
        departement=params.get("departement") or None,
        activities=query_params.codes(params.get("activity")),
        statuses=query_params.codes(params.get("status")),
        since=_moment(params, "since"), until=_moment(params, "until"),
        limit=query_params.integer(params, "_count", 1000, 1, MAX_COUNT),
        after_seq=query_params.integer(params, "after", 0, 0, None))


def _moment(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    return parse_moment(raw, name) if raw else None


def read_history(db: Database, query: HistoryQuery, caller: Caller) -> list[dict[str, Any]]:
    may_read_capacities(caller)
    with db.read() as conn:
        return [_shown(row) for row in history(conn, query, caller)]


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": row["seq"], "place": f"Location/{row['place_id']}", "version": row["version"],
        "recordedAt": _instant(row["recorded_at"]), "updatedAt": _instant(row["updated_at"]),
        "region": row["region"], "departement": row["departement"],
        "indicator": {column: row[column] for column in INDICATOR_COLUMNS},
        "count": row["nb"], "source": row["source"],
    }


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None
