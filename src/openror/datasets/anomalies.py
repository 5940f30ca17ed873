"""Data-quality anomalies (Task, ror-task, SPEC §6) on generated resources.

Each carries the mandatory elements: businessStatus (J244), code (J241), reasonCode (J242),
focus, authoredOn, lastModified and the ``systemRequester`` input.
"""

from __future__ import annotations

from typing import Any

from openror.datasets import codes as c
from openror.fhir import profiles as p
from openror.fhir.datatypes import concept
from openror.quality import workflow

#: (thématique J241, action J242, description, FHIRPath of the faulty element or "")
KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("01", "AJO", "Aucun contact n'est renseigné pour cette offre", "HealthcareService.extension"),
    ("04", "COR", "Les capacités n'ont pas été mises à jour depuis plus de 7 jours",
     "Location.extension"),
    ("06", "COR", "Le numéro de téléphone de l'établissement ne répond plus",
     "Organization.telecom"),
    ("03", "COR", "La tranche d'âge ne correspond pas à l'activité de l'offre",
     "HealthcareService.extension"),
    ("02", "AJO", "Une activité de consultation semble manquer", ""),
    ("05", "COR", "L'adresse n'est pas structurée (type et libellé de voie)",
     "Location.address"),
)
#: business status (J244) -> FHIR task status, as the workflow implies it
STATUSES = {code: status.task_status for code, status in workflow.STATUSES.items()}


def _input(kind: str, **value: Any) -> dict[str, Any]:
    return {"type": concept(p.INPUT_TASK_CS, kind), **value}


def task(task_id: str, region: str, focus: str, kind: int, status: str, authored: str,
         requester: str = "IHM") -> dict[str, Any]:
    theme, action, description, path = KINDS[kind % len(KINDS)]
    inputs = [_input("systemRequester", valueString=requester)]
    if path:
        inputs.append(_input("pathElementError", valueExpression={
            "language": "text/fhirpath", "expression": path}))
    return {
        "resourceType": "Task", "id": task_id, "meta": c.region_meta(region),
        "status": STATUSES[status], "intent": "order",
        "businessStatus": concept(c.TRE_R352, status),
        "code": concept(c.TRE_R350, theme),
        "reasonCode": concept(c.TRE_R349, action),
        "description": description,
        "focus": {"reference": focus},
        "authoredOn": authored, "lastModified": authored,
        "input": inputs,
    }
