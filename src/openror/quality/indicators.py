"""Indicators: findings counted by rule × region × département × field × category, as the
ROR's weekly quality indicator counts them (perimeter = units in scope; deviating = écarts).
For the population rules (PE offers, CP4 establishments) *partial* is « en cours »."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from openror.quality.model import Finding

DIMENSIONS = ("indicator", "region", "departement", "field", "category")


def week_of(moment: datetime | date) -> date:
    """The Monday of the moment's week (ISO weeks, as the ROR's DT_Reference)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _key(finding: Finding) -> tuple[str, str, str, str, str]:
    where = finding.where
    return (finding.rule, where.region or "", where.departement or "", where.field or "",
            where.category or "")


def aggregate(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One row per dimension values: perimeter, conformant, partial, deviating."""
    counts: Counter[tuple[tuple[str, str, str, str, str], str]] = Counter()
    for finding in findings:
        counts[(_key(finding), finding.state)] += 1
    keys = sorted({key for key, _ in counts})
    rows = []
    for key in keys:
        states = {s: counts[(key, s)] for s in ("conformant", "partial", "deviating")}
        rows.append({**dict(zip(DIMENSIONS, key, strict=True)),
                     "perimeter": sum(states.values()), **states})
    return rows
