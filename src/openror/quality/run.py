"""A quality run: read the directory, evaluate every rule, store the results and the week's
indicators, then raise or close the anomalies of the rules that raise them."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openror.quality import anomalies, catalog, directory, indicators
from openror.quality.evaluate import evaluate, skipped
from openror.quality.measure_publish import MeasureWriter, publish_week
from openror.quality.model import Finding
from openror.store import quality_results
from openror.store.database import Database
from openror.store.resources import utcnow
from openror.terminology import Terminology

Step = Callable[[str], None]


@dataclass
class RunSummary:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    #: rule -> (perimeter, deviating)
    rules: dict[str, tuple[int, int]] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)  # what was read: organisations…
    anomalies: dict[str, int] = field(default_factory=dict)  # raised, closed
    skipped: list[str] = field(default_factory=list)  # rules not evaluated (no FINESS)
    published: int = 0  # Measure and MeasureReport resources sent to the write path

    def as_json(self) -> dict[str, Any]:
        return {"run": self.run_id, "started": self.started_at.isoformat(),
                "finished": self.finished_at.isoformat() if self.finished_at else None,
                "read": self.units, "anomalies": self.anomalies, "skipped": self.skipped,
                "rules": {rule: {"perimeter": p, "deviating": d}
                          for rule, (p, d) in sorted(self.rules.items())}}


def _result_row(finding: Finding, run_id: str) -> dict[str, Any]:
    where = finding.where
    return {"rule": finding.rule, "unit": finding.unit, "deviating": finding.deviating,
            "region": where.region, "departement": where.departement, "field": where.field,
            "category": where.category, "site": where.site,
            "detail": (finding.detail or "")[:500] or None, "run_id": run_id}


def _summarise(findings: list[Finding]) -> dict[str, tuple[int, int]]:
    perimeter: Counter[str] = Counter(f.rule for f in findings)
    deviating: Counter[str] = Counter(f.rule for f in findings if f.deviating)
    return {rule.id: (perimeter[rule.id], deviating[rule.id]) for rule in catalog.rules()}


def evaluate_all(db: Database, terminology: Terminology | None, now: datetime,
                 step: Step) -> tuple[list[Finding], directory.Directory]:
    with db.read() as conn:
        step("reading the directory")
        found = directory.load(conn, now, terminology)
    step("evaluating the rules")
    return list(evaluate(found)), found


def run(db: Database, terminology: Terminology | None, *, trigger: str = "cli",
        now: datetime | None = None, step: Step = lambda _: None,
        writer: anomalies.TaskWriter | None = None,
        measures: MeasureWriter | None = None) -> tuple[RunSummary, list[Finding]]:
    """Run every rule; the results of the last run are replaced in one transaction. With a
    ``writer``, the rules' anomalies are raised and closed afterwards; with ``measures``, the
    week's indicators are published as Measure and MeasureReport resources at the end."""
    started = utcnow()
    summary = RunSummary(run_id=f"quality-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
                         started_at=started)
    findings, found = evaluate_all(db, terminology, now or started, step)
    summary.units = {"organizations": len(found.organizations), "offers": len(found.offers),
                     "places": len(found.places), "finess_sites": len(found.finess_sites)}
    summary.skipped = sorted(skipped(found))
    summary.rules = _summarise(findings)
    step("storing results and indicators")
    with db.write() as conn:
        quality_results.start(conn, summary.run_id, trigger, started)
        quality_results.replace_results(conn, (_result_row(f, summary.run_id)
                                               for f in findings))
        rows = indicators.aggregate(findings)
        quality_results.replace_week(conn, indicators.week_of(now or started),
                                     [{**row, "run_id": summary.run_id} for row in rows])
    if writer is not None:
        step("raising and closing anomalies")
        done = anomalies.reconcile(db, writer, findings, _instant(now or started),
                                   frozenset(summary.skipped))
        summary.anomalies = {"raised": done.raised, "corrected": done.corrected,
                             "failed": done.failed}
    summary.finished_at = utcnow()
    with db.write() as conn:
        quality_results.finish(conn, summary.run_id, summary.finished_at,
                               json.dumps(summary.as_json(), ensure_ascii=False))
    if measures is not None:  # after finish: a report is dated by the end of its run
        step("publishing the indicators (Measure, MeasureReport)")
        summary.published = publish_week(db, measures, indicators.week_of(now or started))
    return summary, findings


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
