"""The anomalies (Task, ror-task) the rules raise: one per rule and deviating unit, routed to
the owner of the data by the write path (quality.task_writes), closed as corrected when a
later run finds the unit conformant again.

A unit whose anomaly was refused, cancelled or tolerated is not raised again while it still
deviates: the owner or the regional operator has answered. Once it conforms, the link is
forgotten, and a new deviation raises a new anomaly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from openror.errors import OpenRORError
from openror.fhir.profiles import INPUT_TASK_CS, nos_url
from openror.quality import catalog
from openror.quality import workflow as w
from openror.quality.model import Finding, Rule
from openror.store import quality_anomalies
from openror.store.database import Database

SYSTEM_REQUESTER = "OpenROR qualité"
_LOG = logging.getLogger("openror.quality")
TRE_R349 = nos_url("TRE_R349-ActionAnomalie")
TRE_R350 = nos_url("TRE_R350-ThematiqueAnomalie")


class TaskWriter(Protocol):
    """What raising needs of the write path (given by the caller: quality sits below it)."""

    def create(self, body: dict[str, Any]) -> str: ...
    def read(self, task_id: str) -> dict[str, Any] | None: ...
    def update(self, task_id: str, body: dict[str, Any]) -> None: ...


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}


def _input(kind: str, **value: Any) -> dict[str, Any]:
    return {"type": _concept(INPUT_TASK_CS, kind), **value}


def task_for(rule: Rule, finding: Finding, now: str) -> dict[str, Any]:
    """A new anomaly for a deviating unit, in « À traiter »; the write path routes it."""
    return {
        "resourceType": "Task", "status": w.task_status(w.TO_HANDLE), "intent": "order",
        "businessStatus": _concept(w.BUSINESS_STATUS_SYSTEM, w.TO_HANDLE),
        "code": _concept(TRE_R350, rule.theme), "reasonCode": _concept(TRE_R349, rule.action),
        "description": f"{rule.id} {rule.title} : {finding.detail or 'écart'}. "
                       f"{rule.remedy}",
        "focus": {"reference": finding.unit}, "authoredOn": now, "lastModified": now,
        "input": [_input("ruleErrorId", valueString=rule.id),
                  _input("systemRequester", valueString=SYSTEM_REQUESTER),
                  _input("pathElementError", valueExpression={"language": "text/fhirpath",
                                                              "expression": rule.path})],
    }


def _status(body: dict[str, Any]) -> str | None:
    for coding in (body.get("businessStatus") or {}).get("coding") or []:
        if coding.get("system") == w.BUSINESS_STATUS_SYSTEM:
            return str(coding.get("code"))
    return None


def _corrected(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "businessStatus": _concept(w.BUSINESS_STATUS_SYSTEM, w.CORRECTED),
            "statusReason": {"text": "Corrigé : la règle est de nouveau respectée "
                                     "(constaté par le contrôle qualité)."}}


@dataclass
class Reconciled:
    raised: int = 0
    corrected: int = 0
    forgotten: int = 0
    #: writes the write path refused (a unit deleted since it was read…): tried next run
    failed: int = 0


def reconcile(db: Database, writer: TaskWriter, findings: Iterable[Finding], now: str,
              skipped: frozenset[str] = frozenset()) -> Reconciled:
    """Raise the anomalies of new deviations; close those of units that conform again.
    The anomalies of ``skipped`` rules (not evaluated by this run) are left as they are."""
    rules = {r.id: r for r in catalog.rules() if r.anomaly and r.id not in skipped}
    deviating = {(f.rule, f.unit): f for f in findings if f.deviating and f.rule in rules}
    with db.read() as conn:
        known = quality_anomalies.raised(conn)
    done = Reconciled()
    for key, finding in deviating.items():
        if key not in known:
            try:
                task_id = writer.create(task_for(rules[finding.rule], finding, now))
            except OpenRORError as exc:
                _LOG.warning("anomaly of %s on %s not raised: %s", *key, exc.message)
                done.failed += 1
                continue
            with db.write() as conn:
                quality_anomalies.remember(conn, finding.rule, finding.unit, task_id)
            done.raised += 1
    for key, task_id in known.items():
        if key in deviating or key[0] not in rules:
            continue
        body = writer.read(task_id)
        status = None if body is None else _status(body)
        if body is not None and status is not None and w.allowed(status, w.CORRECTED) \
                and status != w.CORRECTED:
            try:
                writer.update(task_id, _corrected(body))
            except OpenRORError as exc:
                _LOG.warning("anomaly %s not closed: %s", task_id, exc.message)
                done.failed += 1
                continue
            done.corrected += 1
        with db.write() as conn:
            quality_anomalies.forget(conn, *key)
        done.forgotten += 1
    return done
