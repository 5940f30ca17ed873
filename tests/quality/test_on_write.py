"""The rules checked on write, over HTTP: an error refuses the write with the element at
fault; warnings come back with the stored offer (Prefer: return=OperationOutcome)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.quality.rule_world import legal_entity, offer, place, site

FHIR = {"Content-Type": "application/fhir+json"}
OUTCOME = {**FHIR, "Prefer": "return=OperationOutcome"}


def _put(api: httpx.Client, rid: str, body: dict[str, Any],
         headers: dict[str, str] = FHIR) -> httpx.Response:
    return api.put(f"/{body['resourceType']}/{rid}", json={**body, "id": rid}, headers=headers)


def _establishment(api: httpx.Client) -> None:
    for rid, body in (("ej", legal_entity("780000000")), ("eg", site("780000001", "ej")),
                      ("loc", place())):
        assert _put(api, rid, body).status_code in (200, 201)


def test_an_upside_down_age_range_is_refused(api: httpx.Client) -> None:
    _establishment(api)
    answer = _put(api, "hs", offer("eg", ages=(65, 18), places=("loc",)))
    assert answer.status_code == 400, answer.text
    issue = answer.json()["issue"][0]
    assert issue["code"] == "business-rule"
    assert issue["diagnostics"].startswith("OF1 Tranche d'âge cohérente : tranche d'âge 65–18")
    assert "ageRange" in issue["expression"][0]
    assert api.get("/HealthcareService/hs").status_code == 404


def test_warnings_name_what_is_missing_and_the_offer_is_stored(api: httpx.Client) -> None:
    _establishment(api)
    body = offer("eg", name="Accueil adultes", activities=("157",), care_modes=("33",),
                 with_contact=False, places=("loc",))
    answer = _put(api, "hs", body, OUTCOME)
    assert answer.status_code == 201, answer.text
    warnings = {i["diagnostics"].split(" ", 1)[0]: i for i in answer.json()["issue"]
                if i["severity"] == "warning"}
    assert set(warnings) == {"PE", "CO1"}
    assert "manque : contact avec télécommunication" in warnings["PE"]["diagnostics"]
    assert warnings["CO1"]["expression"] == ["HealthcareService.name"]
    assert api.get("/HealthcareService/hs").status_code == 200
    complete = offer("eg", places=("loc",))
    clean = _put(api, "hs", complete, OUTCOME)
    assert [i["severity"] for i in clean.json()["issue"]] == ["information"]
