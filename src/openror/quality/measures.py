"""The steering indicators as FHIR resources: one ``Measure`` (ror-measure) per quality rule,
and per week one ``MeasureReport`` (ror-measurereport) per rule and region plus a national one
(region 00), built from the week's indicator rows (ror-quality.md A.3).

Pure: the rows come in, the resources go out; ``quality.measure_publish`` writes them. Ids
are derived from the rule, region and week, so publishing a week again updates the same
resources (and the write path makes no version of an unchanged one).

Choices where the profiles leave room (docs/api/quality.md):

- the score is the conformity rate as a proportion (conformant / perimeter, 4 decimals, UCUM
  unit ``1``), the ``rate`` of ``/api/quality/indicators``;
- populations: ``initial-population`` and ``denominator`` = the perimeter, ``numerator`` =
  the conformant units; the deviating units and those in progress (population rules) have
  codes of ours, as no code of measure-population means them (``denominator-exclusion``
  would take them out of the rate);
- the period is the week as dates (Monday to Sunday, whole days), the ROR's DT_Reference;
- ``topic`` is the rule's ROR quality theme (TRE_R350), ``type`` is ``process``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from openror.fhir.bindings import NATIONAL_REGION
from openror.fhir.profiles import PROFILE_MEASURE, PROFILE_MEASUREREPORT, TRE_R30_REGION, nos_url
from openror.quality.model import THEMES, Rule

INDICATOR_SYSTEM = "https://openror.fr/fhir/quality-indicator"
REPORT_SYSTEM = "https://openror.fr/fhir/quality-indicator-report"
POPULATION_SYSTEM = "https://openror.fr/fhir/CodeSystem/quality-population"
CANONICAL_BASE = "https://openror.fr/fhir/Measure/"
TRE_R350 = nos_url("TRE_R350-ThematiqueAnomalie")
_HL7 = "http://terminology.hl7.org/CodeSystem/"
UCUM = "http://unitsofmeasure.org"
#: Measure.date, « date de dernière modification de l'indicateur »: the day the definitions
#: of data/rules.json were last changed (the ANS BI views of 2024-02 they follow). Change it
#: with them: a constant, not the publication time, or each run would make new versions.
DEFINITIONS_DATE = "2024-02-01"

COUNTS = ("perimeter", "conformant", "partial", "deviating")


@dataclass(frozen=True)
class Counts:
    perimeter: int = 0
    conformant: int = 0
    partial: int = 0
    deviating: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, n) + getattr(other, n) for n in COUNTS))

    @property
    def rate(self) -> float:
        return round(self.conformant / self.perimeter, 4)


def measure_id(rule_id: str) -> str:
    return f"quality-{rule_id}"


def canonical(rule_id: str) -> str:
    """The Measure's canonical URL; it ends in Measure/<id>, so that searches by ``measure``
    and includes find the Measure from a report."""
    return CANONICAL_BASE + measure_id(rule_id)


def report_id(rule_id: str, region: str, week: date) -> str:
    return f"quality-{rule_id}-{region}-{week.isoformat()}"


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}


def _meta(profile: str, region: str) -> dict[str, Any]:
    return {"profile": [profile], "tag": [{"system": TRE_R30_REGION, "code": region}]}


def _rule_code(rule: Rule) -> dict[str, Any]:
    return _concept(INDICATOR_SYSTEM, rule.id, rule.title)


def measure(rule: Rule) -> dict[str, Any]:
    """The definition of a rule's indicator; national (region tag 00)."""
    return {
        "resourceType": "Measure", "id": measure_id(rule.id),
        "meta": _meta(PROFILE_MEASURE, NATIONAL_REGION),
        "url": canonical(rule.id),
        "identifier": [{"system": INDICATOR_SYSTEM, "value": rule.id}],
        "name": "QualiteROR_" + rule.id.replace(".", "_"),
        "title": f"{rule.id} {rule.title}",
        "status": "active", "experimental": False, "date": DEFINITIONS_DATE,
        "publisher": "OpenROR",
        "description": f"{rule.title}. Correction attendue : {rule.remedy}",
        "purpose": f"Exigence de qualité des données du ROR (thématique "
                   f"{THEMES[rule.theme]}) : part des unités du périmètre qui la respectent, "
                   "chaque semaine, par région et pour la France entière (région 00).",
        "topic": [_concept(TRE_R350, rule.theme, THEMES[rule.theme])],
        "scoring": _concept(_HL7 + "measure-scoring", "proportion"),
        "type": [_concept(_HL7 + "measure-type", "process")],
        "improvementNotation": _concept(_HL7 + "measure-improvement-notation", "increase"),
        "group": [{"code": _rule_code(rule), "description": rule.scope}],
    }


def _population(system: str, code: str, count: int) -> dict[str, Any]:
    return {"code": _concept(system, code), "count": count}


def _populations(counts: Counts) -> list[dict[str, Any]]:
    standard = _HL7 + "measure-population"
    return [_population(standard, "initial-population", counts.perimeter),
            _population(standard, "denominator", counts.perimeter),
            _population(standard, "numerator", counts.conformant),
            _population(POPULATION_SYSTEM, "deviating", counts.deviating),
            _population(POPULATION_SYSTEM, "partial", counts.partial)]


def instant(moment: datetime) -> str:
    """Naive UTC (as the store keeps it) -> FHIR dateTime."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def report(rule: Rule, region: str, week: date, counts: Counts, measured_at: datetime
           ) -> dict[str, Any]:
    """A rule's figures of one week in one region (00: the whole country)."""
    return {
        "resourceType": "MeasureReport", "id": report_id(rule.id, region, week),
        "meta": _meta(PROFILE_MEASUREREPORT, region),
        "identifier": [{"system": REPORT_SYSTEM, "value": f"{rule.id}|{region}|{week}"}],
        "status": "complete", "type": "summary",
        "measure": canonical(rule.id),
        "date": instant(measured_at),
        "period": {"start": week.isoformat(), "end": (week + timedelta(days=6)).isoformat()},
        "group": [{
            "code": _rule_code(rule),
            "population": _populations(counts),
            "measureScore": {"value": counts.rate, "unit": "1", "system": UCUM, "code": "1"},
        }],
    }


def counts_by_region(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Counts]:
    """(indicator, region) -> counts, whatever other dimensions the rows keep; the national
    total (region 00) sums every row, those of an unknown region ("") included."""
    totals: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        for region in (str(row.get("region") or ""), NATIONAL_REGION):
            for name in COUNTS:
                totals[(str(row["indicator"]), region, name)] += int(row[name])
    keys = sorted({(rule, region) for rule, region, _ in totals if region})
    return {key: Counts(*(totals[(*key, name)] for name in COUNTS)) for key in keys}


def reports(rules: Iterable[Rule], rows: Iterable[Mapping[str, Any]], week: date,
            measured_at: datetime) -> list[dict[str, Any]]:
    """The week's reports: per rule of ``rules`` and known region, and national. A rule
    without units in scope (perimeter 0) has no report: its rate is undefined, and the
    profile requires a score."""
    by_id = {rule.id: rule for rule in rules}
    return [report(by_id[rule_id], region, week, counts, measured_at)
            for (rule_id, region), counts in counts_by_region(rows).items()
            if rule_id in by_id and counts.perimeter > 0]
