"""The anomaly workflow in the write path: a rule the app registers on ``WritePath.rules``
(services may not import quality), run in the writer's transaction for every Task write.

- on creation, the anomaly is routed (quality.task_routing): its focus resolved, its owner
  and region set; an anomaly whose focus cannot be found is blocked (04);
- a change of business status must follow the table of quality.workflow (422 otherwise),
  with a reason where it needs one; through the hierarchy (the owner of the data) only the
  owner's answers are allowed (403 otherwise; services.authorise has already limited such
  a write to the answer's elements);
- the server maintains Task.status, authoredOn, lastModified and executionPeriod.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import Forbidden, Unprocessable, error
from openror.fhir.profiles import TRE_R30_REGION
from openror.quality import task_routing
from openror.quality import workflow as w
from openror.store.hierarchy import reference_of

Authority = Literal["scope", "hierarchy"]  # as services.authorise says how a write was allowed
STATUS_PATH = "Task.businessStatus"


def instant(moment: datetime) -> str:
    """Naive UTC -> FHIR instant, as the write path stamps lastUpdated."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"


def business_status(body: dict[str, Any] | None) -> str | None:
    """The TRE_R352 code of Task.businessStatus, if it has one."""
    concept = (body or {}).get("businessStatus")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, dict) and coding.get("system") == w.BUSINESS_STATUS_SYSTEM:
            code = coding.get("code")
            return code if isinstance(code, str) else None
    return None


class TaskWorkflow:
    """The ``WriteRule`` of anomalies (services.writes)."""

    rtype = "Task"

    def route(self, conn: sa.Connection, body: dict[str, Any]) -> None:
        found = task_routing.route(conn, body.get("focus"))
        if found is None:
            return  # the focus is unknown: check() blocks the anomaly
        _attach(body, found)
        if found.region is not None:
            meta = dict(body.get("meta") or {})
            tags = [t for t in meta.get("tag") or []
                    if not (isinstance(t, dict) and t.get("system") == TRE_R30_REGION)]
            meta["tag"] = [*tags, {"system": TRE_R30_REGION, "code": found.region}]
            body["meta"] = meta

    def check(self, conn: sa.Connection, caller: Caller, previous: dict[str, Any] | None,
              body: dict[str, Any], now: datetime, authority: Authority) -> None:
        to = business_status(body)
        if to not in w.STATUSES:
            return  # no or an unknown status: validation says what is wrong
        assert to is not None
        if previous is None:
            _created(body, to, now)
        else:
            _changed(conn, previous, body, to, authority)
            _maintain(previous, body, now)


def _attach(body: dict[str, Any], found: task_routing.Route) -> None:
    """Make the focus a literal reference (search, ``_revinclude`` and rights follow it) and
    give the anomaly its owner when it has none."""
    focus = dict(body["focus"])
    focus.setdefault("reference", f"{found.focus[0]}/{found.focus[1]}")
    body["focus"] = focus
    if not body.get("owner") and found.owner is not None:
        body["owner"] = {"reference": f"Organization/{found.owner}"}


def _set_status(body: dict[str, Any], code: str) -> None:
    status = w.STATUSES[code]
    body["businessStatus"] = {"coding": [{"system": w.BUSINESS_STATUS_SYSTEM, "code": code,
                                          "display": status.label}]}


def _created(body: dict[str, Any], to: str, now: datetime) -> None:
    if to not in w.INITIAL:
        raise Unprocessable([error(
            "business-rule", f"Une anomalie se crée au statut {_either(w.INITIAL)}, pas "
            f"« {w.named(to)} » / a new anomaly starts in {_either(w.INITIAL)}, not "
            f"{w.named(to)}", STATUS_PATH)])
    if reference_of(body.get("focus")) is None:  # route() found no resource
        to = w.BLOCKED_MISSING
        _set_status(body, to)
    body["status"] = w.task_status(to)
    body["lastModified"] = instant(now)  # authoredOn is the client's (1..1: validated)
    body.pop("executionPeriod", None)


def _either(codes: frozenset[str]) -> str:
    return " ou / or ".join(f"« {w.named(c)} »" for c in sorted(codes))


def _changed(conn: sa.Connection, previous: dict[str, Any], body: dict[str, Any], to: str,
             authority: Authority) -> None:
    start = business_status(previous)
    if start == to:
        return
    if start is not None and start in w.STATUSES and not w.allowed(start, to):
        raise Unprocessable([error(
            "business-rule", f"Transition refusée : « {w.named(start)} » ne peut pas passer "
            f"à « {w.named(to)} » ; statuts possibles : {w.next_ones(start)} / transition "
            f"refused from {w.named(start)} to {w.named(to)}; allowed next: "
            f"{w.next_ones(start)}", STATUS_PATH)])
    if authority == "hierarchy" and to not in w.OWNER_MAY_SET:
        raise Forbidden([error(
            "forbidden", f"Seul l'opérateur régional peut passer une anomalie à "
            f"« {w.named(to)} » ; le responsable des données peut répondre "
            f"{_either(w.OWNER_MAY_SET)} / only the regional operator may move an anomaly "
            f"to {w.named(to)}", STATUS_PATH)])
    if to in w.NEEDS_REASON:
        _require_reason(previous, body, to)
    if start in (w.BLOCKED_MISSING, w.BLOCKED_WRONG) and to == w.TO_HANDLE:
        _reroute(conn, body)


def _reason(body: dict[str, Any]) -> str | None:
    reason = body.get("statusReason")
    text = reason.get("text") if isinstance(reason, dict) else None
    return text.strip() or None if isinstance(text, str) else None


def _require_reason(previous: dict[str, Any], body: dict[str, Any], to: str) -> None:
    reason = _reason(body)
    if reason is None or body.get("statusReason") == previous.get("statusReason"):
        raise Unprocessable([error(
            "business-rule", f"Passer à « {w.named(to)} » demande un motif : renseignez "
            f"Task.statusReason.text / moving to {w.named(to)} needs a (new) reason in "
            "Task.statusReason.text", "Task.statusReason")])


def _reroute(conn: sa.Connection, body: dict[str, Any]) -> None:
    """Unblocking needs a recipient: the focus must now be found (its owner is set when the
    anomaly has none; its region stays, a move is the operator's own change)."""
    found = task_routing.route(conn, body.get("focus"))
    if found is None:
        raise Unprocessable([error(
            "business-rule", "L'anomalie reste bloquée : sa cible (Task.focus) est introuvable "
            "/ the anomaly stays blocked: its focus cannot be found; correct Task.focus "
            "first", "Task.focus")])
    _attach(body, found)


def _maintain(previous: dict[str, Any], body: dict[str, Any], now: datetime) -> None:
    """Task.status follows the business status; authoredOn is the first version's;
    executionPeriod starts when the anomaly is sent and ends when it closes; lastModified
    moves only when something else did."""
    start, to = business_status(previous), business_status(body)
    assert to is not None
    body["status"] = w.task_status(to)
    if "authoredOn" in previous:
        body["authoredOn"] = previous["authoredOn"]
    period = dict(previous.get("executionPeriod") or {})
    if to != start and to == w.SENT:
        period = {"start": instant(now)}
    if to != start and to in w.CLOSED:
        period["end"] = instant(now)
    if period:
        body["executionPeriod"] = period
    else:
        body.pop("executionPeriod", None)
    body.pop("lastModified", None)
    same = {k: v for k, v in previous.items() if k not in ("meta", "lastModified")} == {
        k: v for k, v in body.items() if k != "meta"}
    body["lastModified"] = previous.get("lastModified") if same else instant(now)
    if body["lastModified"] is None:
        body["lastModified"] = instant(now)
