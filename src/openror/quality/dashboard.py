"""The regional quality dashboard: the week's indicator of each rule (perimeter, écarts,
conformity rate), the population indicators (PE offers, CP4 establishments: finalisé, en
cours, à faire), optionally broken down by one dimension, the trend of every rule over the
weeks kept, and when the directory was last checked. Read with the rights of
quality.reports (profile 1; a regional operator sees their regions only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openror.access.caller import Caller
from openror.errors import InvalidInput, error
from openror.quality import catalog, reports
from openror.quality.model import Rule
from openror.store import quality_reports
from openror.store.database import Database

#: the indicators that count how far the population went, not deviations
POPULATION = ("PE", "CP4")
#: what the table may be broken down by ("": the region(s) as a whole)
BREAKDOWNS = ("", "departement", "field", "category")


@dataclass(frozen=True)
class Figures:
    key: str | None  # the breakdown value (a département code…); None: no breakdown
    perimeter: int
    conformant: int  # « finalisé » for population
    partial: int  # « en cours »
    deviating: int  # écarts; « à faire » for population
    rate: float | None  # conformant / perimeter


@dataclass(frozen=True)
class RuleFigures:
    rule: Rule
    rows: list[Figures]


@dataclass(frozen=True)
class Trend:
    weeks: list[date]
    rates: dict[str, list[float | None]]  # rule id -> the rate of each week (None: no row)


@dataclass(frozen=True)
class QualityBoard:
    week: date | None
    by: str
    regions: frozenset[str]  # empty: every region
    rules: list[RuleFigures]
    population: list[RuleFigures]
    trend: Trend
    last_run: tuple[datetime, datetime | None] | None = None
    keys: list[str] = field(default_factory=list)  # the breakdown values, sorted


def _figures(row: Mapping[str, Any], by: str) -> Figures:
    key = str(row[by]) if by else None
    return Figures(key, row["perimeter"], row["conformant"], row["partial"], row["deviating"],
                   row["rate"])


def _summed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The region rows of one indicator added up (a caller of several regions)."""
    if not rows:
        return []
    total = {m: sum(r[m] for r in rows) for m in quality_reports.MEASURES}
    return [reports.with_rate(total)]


def _per_rule(rows: list[dict[str, Any]], by: str) -> dict[str, list[Figures]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["indicator"], []).append(row)
    return {rule: [_figures(r, by) for r in (group if by else _summed(group))]
            for rule, group in found.items()}


def _trend(raw: list[dict[str, Any]], weeks: list[str]) -> Trend:
    rates: dict[str, list[float | None]] = {r.id: [None] * len(weeks) for r in catalog.rules()}
    at = {week: i for i, week in enumerate(weeks)}
    for row in raw:
        if row["indicator"] in rates and row["week"] in at:
            rates[row["indicator"]][at[row["week"]]] = row["rate"]
    return Trend([date.fromisoformat(w) for w in weeks], rates)


def parse_breakdown(raw: str | None) -> str:
    value = (raw or "").strip()
    if value not in BREAKDOWNS:
        raise InvalidInput([error("value", f"Détail inconnu « {value} » : choisissez-le dans "
                                  "la liste.", "par")])
    return value


def build(db: Database, caller: Caller, by: str, region: str | None) -> QualityBoard:
    params = {"by": by or "region", **({"region": region} if region else {})}
    found = reports.read_indicators(db, params, caller)
    per_rule = _per_rule(found["rows"], by)
    board_rules = [RuleFigures(r, per_rule.get(r.id, [])) for r in catalog.rules()]
    with db.read() as conn:
        run = quality_reports.last_run(conn)
    keys = sorted({f.key for rf in board_rules for f in rf.rows if f.key is not None})
    return QualityBoard(
        week=date.fromisoformat(found["week"]) if found["week"] else None, by=by,
        regions=frozenset([region]) if region else caller.regions,
        rules=[rf for rf in board_rules if rf.rule.id not in POPULATION],
        population=[rf for rf in board_rules if rf.rule.id in POPULATION],
        trend=_trend(found["trend"], found["weeks"]), last_run=run, keys=keys)
