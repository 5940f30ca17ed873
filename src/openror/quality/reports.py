"""Quality results and indicators as callers read them: who may (regional operators and
national administrators, profile 1; a regional caller sees its regions only), the query's
parameters checked, and the conformity rate computed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from openror import params as query_params
from openror.access.caller import ANONYMOUS, Caller
from openror.errors import Forbidden, InvalidInput, Unauthorized, error
from openror.quality import catalog
from openror.quality.freshness import Ownership
from openror.quality.model import ACTIONS, THEMES
from openror.store import quality_reports
from openror.store.database import Database
from openror.store.quality_reports import DIMENSIONS, ResultFilter

MAX_COUNT = 1000
RESULT_PARAMETERS = ("rule", "region", "departement", "site", "deviating", "_count", "after",
                     "_format")
INDICATOR_PARAMETERS = ("rule", "region", "week", "by", "_format")


def may_read_quality(caller: Caller) -> None:
    """Quality results name establishments and what is wrong with them, sensitive units
    included (CO3): they are the regional operators' work, not everyone's."""
    if caller == ANONYMOUS:
        raise Unauthorized([error("login", "quality results are not open data: log in or "
                                  "send an access token (POST /auth/token)")])
    if caller.profile != 1:
        raise Forbidden([error("forbidden", "quality results are for regional operators and "
                               "national administrators (access profile 1)")])


def _rules(params: Mapping[str, str]) -> tuple[str, ...]:
    wanted = query_params.codes(params.get("rule"))
    known = {r.id for r in catalog.rules()}
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidInput([error("value", f"unknown rule '{unknown[0]}': use one of "
                                  f"{', '.join(sorted(known))}", "rule")])
    return tuple(sorted(wanted))


def _regions(params: Mapping[str, str], caller: Caller) -> frozenset[str]:
    wanted = query_params.codes(params.get("region"))
    if not caller.regions:
        return wanted
    outside = sorted(wanted - caller.regions)
    if outside:
        raise Forbidden([error("forbidden", f"region {outside[0]} is not one of yours "
                               f"({', '.join(sorted(caller.regions))})", "region")])
    return wanted or caller.regions


def parse_results(params: Mapping[str, str], caller: Caller) -> ResultFilter:
    query_params.refuse_unknown(params, RESULT_PARAMETERS)
    deviating = params.get("deviating")
    if deviating not in (None, "true", "false"):
        raise InvalidInput([error("value", "deviating must be true or false", "deviating")])
    after = params.get("after")
    if after is not None and "|" not in after:
        raise InvalidInput([error("value", "after must be the 'next' link's value", "after")])
    return ResultFilter(
        rules=_rules(params), regions=_regions(params, caller),
        departement=params.get("departement") or None, site=params.get("site") or None,
        deviating=None if deviating is None else deviating == "true",
        after=(after.split("|", 1)[0], after.split("|", 1)[1]) if after else None,
        limit=query_params.integer(params, "_count", 100, 1, MAX_COUNT))


def read_results(db: Database, where: ResultFilter, caller: Caller,
                 ownership: Ownership | None = None) -> list[dict[str, Any]]:
    """Profile 1 reads every result of its regions; the owner of a site (someone who may
    edit it) reads that site's results, to know what to fix."""
    with db.read() as conn:
        if caller.profile != 1 and where.site and ownership is not None \
                and caller != ANONYMOUS:
            rtype, _, rid = where.site.partition("/")
            ownership.authorise_edit(conn, caller, rtype, rid)
            return quality_reports.results(conn, replace(where, regions=frozenset()))
        may_read_quality(caller)
        return quality_reports.results(conn, where)


def _week(raw: str | None, known: list[date]) -> date | None:
    if raw is None:
        return known[-1] if known else None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([error("value", "week must be a date (YYYY-MM-DD), the Monday of "
                                  "the week", "week")]) from None


def _dimensions(raw: str | None) -> tuple[str, ...]:
    wanted = [d.strip() for d in (raw or "region").split(",") if d.strip()]
    unknown = [d for d in wanted if d not in DIMENSIONS]
    if unknown:
        raise InvalidInput([error("value", f"cannot group by '{unknown[0]}': use "
                                  f"{', '.join(DIMENSIONS)}", "by")])
    return tuple(d for d in DIMENSIONS if d in wanted)


def with_rate(row: dict[str, Any]) -> dict[str, Any]:
    """The share of the perimeter that is conformant (finalised, for population)."""
    perimeter = row["perimeter"]
    return {**row, "rate": round(row["conformant"] / perimeter, 4) if perimeter else None}


def read_indicators(db: Database, params: Mapping[str, str], caller: Caller
                    ) -> dict[str, Any]:
    may_read_quality(caller)
    query_params.refuse_unknown(params, INDICATOR_PARAMETERS)
    rules, regions = _rules(params), _regions(params, caller)
    keep = _dimensions(params.get("by"))
    with db.read() as conn:
        weeks = quality_reports.weeks(conn)
        week = _week(params.get("week"), weeks)
        rows = [] if week is None else quality_reports.indicators(conn, week, keep, rules,
                                                                  regions)
        trend = quality_reports.trend(conn, rules, regions)
    return {"week": week.isoformat() if week else None, "by": list(keep),
            "weeks": [w.isoformat() for w in weeks],
            "rows": [with_rate(r) for r in rows],
            "trend": [with_rate({**r, "week": r["week"].isoformat()}) for r in trend]}


def describe_rules() -> list[dict[str, Any]]:
    return [{"id": r.id, "title": r.title, "theme": {"code": r.theme, "display": THEMES[r.theme]},
             "action": {"code": r.action, "display": ACTIONS[r.action]},
             "severity": r.severity, "unit": r.unit, "scope": r.scope, "remedy": r.remedy,
             "path": r.path, "raisesAnomaly": r.anomaly, "onWrite": r.on_write}
            for r in catalog.rules()]
