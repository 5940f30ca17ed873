"""Create, read, vread, update, patch, delete over real HTTP, on both back-ends."""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders import healthcare_service, location, organization, parameters, patch_op

FHIR = {"Content-Type": "application/fhir+json"}


def create(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/{body['resourceType']}", json=body, headers=FHIR)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def offer_graph(api: httpx.Client) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    org = create(api, organization())
    loc = create(api, location())
    hs = create(api, healthcare_service(f"Organization/{org['id']}", f"Location/{loc['id']}"))
    return org, loc, hs


def test_create_returns_201_location_etag_and_server_metadata(api: httpx.Client) -> None:
    response = api.post("/Organization", json=organization(), headers=FHIR)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"].endswith(f"/fhir/Organization/{body['id']}/_history/1")
    assert body["meta"]["versionId"] == "1"
    assert body["meta"]["lastUpdated"].endswith("+00:00")
    assert {"system": "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM",
            "code": "11"} in body["meta"]["tag"]


def test_read_serves_what_was_stored(api: httpx.Client) -> None:
    created = create(api, organization(name="Clinique du Parc"))
    response = api.get(f"/Organization/{created['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.json() == created
    assert response.headers["ETag"] == 'W/"1"'
    assert "GMT" in response.headers["Last-Modified"]


def test_offers_and_places_get_functional_identifiers(api: httpx.Client) -> None:
    _org, loc, hs = offer_graph(api)
    assert hs["identifier"][0]["value"] == "11/0000001"
    assert hs["identifier"][0]["type"]["coding"][0]["code"] == "35"
    place_ids = [i for i in loc["identifier"] if i["type"]["coding"][0]["code"] == "25"]
    assert place_ids and place_ids[0]["value"].startswith("11/")
    second = create(api, healthcare_service(hs["providedBy"]["reference"]))
    assert second["identifier"][0]["value"] == "11/0000002"


def test_update_keeps_the_functional_identifier_and_bumps_the_version(api: httpx.Client) -> None:
    _org, _loc, hs = offer_graph(api)
    changed = {k: v for k, v in hs.items() if k not in ("identifier", "meta")}
    changed["name"] = "Médecine générale — cabinet"
    response = api.put(f"/HealthcareService/{hs['id']}", json=changed, headers=FHIR)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["versionId"] == "2"
    assert body["identifier"] == hs["identifier"]
    assert api.get(f"/HealthcareService/{hs['id']}/_history/1").json()["name"] == hs["name"]


def test_stale_if_match_is_refused_with_412(api: httpx.Client) -> None:
    org = create(api, organization())
    org["name"] = "Nouveau nom"
    ok = api.put(f"/Organization/{org['id']}", json=org, headers={**FHIR, "If-Match": 'W/"1"'})
    assert ok.status_code == 200
    stale = api.put(f"/Organization/{org['id']}", json=org, headers={**FHIR, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json()["resourceType"] == "OperationOutcome"
    assert api.get(f"/Organization/{org['id']}").json()["meta"]["versionId"] == "2"


def test_put_on_a_new_id_creates_it(api: httpx.Client) -> None:
    body = {**organization(), "id": "eg-1"}
    response = api.put("/Organization/eg-1", json=body, headers=FHIR)
    assert response.status_code == 201
    assert api.get("/Organization/eg-1").status_code == 200


def test_put_with_mismatched_id_is_refused(api: httpx.Client) -> None:
    response = api.put("/Organization/a", json={**organization(), "id": "b"}, headers=FHIR)
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["Organization.id"]


def test_fhirpath_patch_returns_etag_and_last_modified(api: httpx.Client) -> None:
    org = create(api, organization())
    body = parameters(patch_op("replace", "Organization.name", value={"valueString": "CH Sud"}))
    response = api.patch(f"/Organization/{org['id']}", json=body, headers=FHIR)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == 'W/"2"'
    assert "Last-Modified" in response.headers
    assert api.get(f"/Organization/{org['id']}").json()["name"] == "CH Sud"


def test_the_same_patch_twice_changes_nothing(api: httpx.Client) -> None:
    org = create(api, organization())
    body = parameters(patch_op("replace", "Organization.name", value={"valueString": "CH Sud"}))
    api.patch(f"/Organization/{org['id']}", json=body, headers=FHIR)
    again = api.patch(f"/Organization/{org['id']}", json=body, headers=FHIR)
    assert again.headers["ETag"] == 'W/"2"'
    history = api.get(f"/Organization/{org['id']}/_history").json()
    assert history["total"] == 2


def test_patch_that_breaks_the_profile_is_refused_and_changes_nothing(api: httpx.Client) -> None:
    _org, _loc, hs = offer_graph(api)
    body = parameters(patch_op("delete", "HealthcareService.providedBy"))
    response = api.patch(f"/HealthcareService/{hs['id']}", json=body, headers=FHIR)
    assert response.status_code == 400
    assert any("providedBy" in e for i in response.json()["issue"] for e in i.get("expression", []))
    assert api.get(f"/HealthcareService/{hs['id']}").json() == hs


def test_delete_leaves_a_tombstone(api: httpx.Client) -> None:
    org = create(api, organization())
    assert api.delete(f"/Organization/{org['id']}").status_code == 200
    gone = api.get(f"/Organization/{org['id']}")
    assert gone.status_code == 410
    assert gone.json()["issue"][0]["code"] == "deleted"
    assert api.get(f"/Organization/{org['id']}/_history/1").status_code == 200
    assert api.get(f"/Organization/{org['id']}/_history/2").status_code == 410
    entries = api.get(f"/Organization/{org['id']}/_history").json()["entry"]
    assert entries[0]["request"]["method"] == "DELETE"
    assert "resource" not in entries[0]


def test_delete_of_a_referenced_resource_is_refused_with_the_referrers(api: httpx.Client) -> None:
    org, _loc, hs = offer_graph(api)
    response = api.delete(f"/Organization/{org['id']}")
    assert response.status_code == 409
    issue = response.json()["issue"][0]
    assert f"HealthcareService/{hs['id']}" in issue["diagnostics"]
    assert issue["expression"] == ["HealthcareService.providedBy"]
    assert api.get(f"/Organization/{org['id']}").status_code == 200


def test_dangling_reference_is_refused(api: httpx.Client) -> None:
    body = healthcare_service("Organization/does-not-exist")
    response = api.post("/HealthcareService", json=body, headers=FHIR)
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["expression"] == ["HealthcareService.providedBy"]
    assert "Organization/does-not-exist" in issue["diagnostics"]


def test_a_deleted_target_cannot_be_referenced(api: httpx.Client) -> None:
    org = create(api, organization())
    api.delete(f"/Organization/{org['id']}")
    response = api.post("/HealthcareService", json=healthcare_service(f"Organization/{org['id']}"),
                        headers=FHIR)
    assert response.status_code == 400
