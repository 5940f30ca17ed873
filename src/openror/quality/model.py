"""What a quality rule is and what it says about each unit in its scope.

A rule's description (id, theme, severity, scope, remedy…) is data (data/rules.json, read by
quality.catalog); what it checks is code (quality.requirements). A rule says, for each unit it
applies to, *conformant* or *deviating*; a unit outside its scope gets no finding at all (the
ROR's "not applicable", left out of the indicators' perimeter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "information"]
State = Literal["conformant", "partial", "deviating"]

#: NOS TRE_R350 ThématiqueAnomalie (JDV_J241)
THEMES: dict[str, str] = {
    "01": "Complétude", "02": "Exhaustivité", "03": "Cohérence",
    "04": "Récence", "05": "Structuration", "06": "Exactitude",
}
#: NOS TRE_R349 ActionAnomalie (JDV_J242)
ACTIONS: dict[str, str] = {"AJO": "Ajout", "COR": "Correction", "SUP": "Suppression"}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # French, as shown to people
    theme: str  # TRE_R350 code
    action: str  # TRE_R349 code: what the owner is asked to do
    severity: Severity
    unit: str  # what one finding is about: site, legal-entity, offer, finess-site…
    scope: str  # French: which units the rule applies to
    remedy: str  # French: how to fix a deviation
    path: str  # FHIRPath of the element at fault, for anomalies and the UI
    anomaly: bool  # a deviation raises an anomaly (Task) for the owner
    on_write: bool  # also checked when the unit is written
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a finding counts in the indicators."""

    region: str | None
    departement: str | None
    field: str | None  # champ d'activité of an offer (TRE_R227), else None
    category: str | None  # the establishment's category (TRE_R66)
    site: str | None  # "Organization/<id>" of the establishment


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    unit: str  # "<Type>/<id>", or "finess:<number>" for a FINESS site unknown to the ROR
    state: State
    where: Place
    detail: str | None = None  # French: what deviates, or what is missing

    @property
    def deviating(self) -> bool:
        return self.state != "conformant"
