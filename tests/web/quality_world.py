"""The quality pages' world: the roles world of tests/services (region 32: sites eg-a, eg-b,
the practices of P and Q, in the Aisne; region 84: eg-84), an account per role plus an
operator of region 84, a quality run (results and the week's indicators), and anomalies
reported through the API, each routed to its owner by the write path:

- ``a``: rule CP5 on the offer hs-a (owner eg-a, answered by the referent ``ref``);
- ``site``: rule CO4 on the site eg-a (owner eg-a);
- ``b``: rule CP5 on hs-b (owner eg-b: not ``ref``'s);
- ``p``: rule CP5 on hs-p (the practice of the professional ``pro``);
- ``r84``: rule CP5 on hs-84 (region 84).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openror.fhir.profiles import INPUT_TASK_CS
from openror.quality import workflow as w
from openror.quality.run import run
from tests.api.people_fixture import PASSWORD, people
from tests.api.search_fixture import anomaly
from tests.builders import parameters, patch_op
from tests.conftest import LiveServer
from tests.quality.rule_world import NOW

FHIR = {"Content-Type": "application/fhir+json"}
FOCUS = {"a": ("HealthcareService/hs-a", "CP5"), "site": ("Organization/eg-a", "CO4"),
         "b": ("HealthcareService/hs-b", "CP5"), "p": ("HealthcareService/hs-p", "CP5"),
         "r84": ("HealthcareService/hs-84", "CP5")}


def reported(focus: str, rule: str) -> dict[str, Any]:
    body = anomaly("x", focus, f"ANO-{focus}")
    del body["id"]
    body["description"] = f"Écart signalé sur {focus}"
    body["input"].append({"type": {"coding": [{"system": INPUT_TASK_CS,
                                               "code": "ruleErrorId"}]},
                          "valueString": rule})
    return body


def move(to: str, reason: str | None = None) -> dict[str, Any]:
    ops = [patch_op("replace", "Task.businessStatus", value={"valueCodeableConcept": {
        "coding": [{"system": w.BUSINESS_STATUS_SYSTEM, "code": to}]}})]
    if reason:
        ops.append(patch_op("add", "Task", name={"valueString": "statusReason"},
                            value={"valueCodeableConcept": {"text": reason}}))
    return parameters(*ops)


def status_of(server: LiveServer, task_id: str) -> str:
    with server.client() as api:
        body = api.get(f"/Task/{task_id}").json()
    return str(body["businessStatus"]["coding"][0]["code"])


def set_status(server: LiveServer, task_id: str, to: str, reason: str | None = None) -> None:
    with server.client() as api:
        api.patch(f"/Task/{task_id}", content=json.dumps(move(to, reason)),
                  headers=FHIR).raise_for_status()


def load(server: LiveServer) -> dict[str, str]:
    """Set the world up on top of the roles world; the anomalies' ids by name."""
    services = server.app.state.services
    people(server).users.add("op84", "Op84", "op84@example.org", None, ("operator:84",))
    people(server).logins.set_password("op84", PASSWORD)
    run(services.db, services.terminology, now=NOW)
    made = {}
    with server.client() as api:
        for name, (focus, rule) in FOCUS.items():
            answer = api.post("/Task", content=json.dumps(reported(focus, rule)),
                              headers=FHIR)
            assert answer.status_code == 201, answer.text
            made[name] = str(answer.json()["id"])
    return made


@dataclass(frozen=True)
class Quality:
    server: LiveServer
    ids: dict[str, str]  # the anomalies by name
