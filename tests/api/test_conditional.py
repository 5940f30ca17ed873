"""Conditional create, update and patch by identifier."""

from __future__ import annotations

import httpx

from tests.api.test_crud import FHIR, create
from tests.builders import location, organization, parameters, patch_op

FINESS = "https://finess.esante.gouv.fr"


def test_conditional_create_returns_the_existing_match(api: httpx.Client) -> None:
    first = create(api, organization(finess="750000001"))
    response = api.post("/Organization", json=organization(finess="750000001"),
                        headers={**FHIR, "If-None-Exist": f"identifier={FINESS}|750000001"})
    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert api.get("/Organization/_history").json()["total"] == 1


def test_conditional_update_creates_then_updates(api: httpx.Client) -> None:
    url = f"/Organization?identifier={FINESS}|750000002"
    created = api.put(url, json=organization(finess="750000002"), headers=FHIR)
    assert created.status_code == 201
    body = organization(name="Renamed", finess="750000002")
    updated = api.put(url, json=body, headers=FHIR)
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    assert updated.json()["meta"]["versionId"] == "2"


def test_conditional_update_with_several_matches_is_412(api: httpx.Client) -> None:
    create(api, organization(finess="750000003"))
    create(api, organization(finess="750000003"))
    response = api.put(f"/Organization?identifier={FINESS}|750000003",
                       json=organization(finess="750000003"), headers=FHIR)
    assert response.status_code == 412
    assert response.json()["issue"][0]["code"] == "multiple-matches"


def test_conditional_patch_by_identifier_value(api: httpx.Client) -> None:
    loc = create(api, location())
    place_id = loc["identifier"][0]["value"]
    body = parameters(patch_op("replace", "Location.name", value={"valueString": "Aile B"}))
    response = api.patch(f"/Location?identifier={place_id}", json=body, headers=FHIR)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Aile B"


def test_conditional_patch_without_match_is_404(api: httpx.Client) -> None:
    body = parameters(patch_op("replace", "Location.name", value={"valueString": "x"}))
    response = api.patch("/Location?identifier=11/nothing", json=body, headers=FHIR)
    assert response.status_code == 404
    assert response.json()["issue"][0]["expression"] == ["Location"]


def test_unsupported_criteria_are_explained(api: httpx.Client) -> None:
    response = api.put("/Organization?name=x", json=organization(), headers=FHIR)
    assert response.status_code == 400
    assert "identifier" in response.json()["issue"][0]["diagnostics"]
