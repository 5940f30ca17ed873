"""Entry templates (Questionnaire) through the FHIR API, on both back-ends: create, read, update,
versions and history, the searches the guided entry and the referent's editor use, and the
RORQuestionnaire profile's errors with the element they name."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from openror.templates.bundled import bundled_templates
from tests.api.test_crud import FHIR, create
from tests.api.test_profile_validator import VALIDATOR, needs_validator

R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
R02 = "https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite"
G15 = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"


def _template(index: int) -> dict[str, Any]:
    """A bundled template (0: MS-141, 1: the GP's) without its id, as a client posts it."""
    body = copy.deepcopy(bundled_templates()[index])
    del body["id"]
    return body


def _ids(bundle: dict[str, Any]) -> list[str]:
    return sorted(e["resource"]["id"] for e in bundle.get("entry", [])
                  if e["search"]["mode"] == "match")


def _search(api: httpx.Client, **params: str) -> list[str]:
    response = api.get("/Questionnaire", params=params)
    assert response.status_code == 200, response.text
    return _ids(response.json())


def test_create_read_update_keeps_every_version(api: httpx.Client) -> None:
    created = create(api, _template(0))
    rid = created["id"]
    assert created["meta"]["versionId"] == "1"
    assert api.get(f"/Questionnaire/{rid}").json()["title"] == "Unité hospitalière de gynécologie"

    changed = {k: v for k, v in created.items() if k != "meta"}
    changed["status"], changed["version"] = "retired", "2"
    response = api.put(f"/Questionnaire/{rid}", json=changed,
                       headers={**FHIR, "If-Match": 'W/"1"'})
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["versionId"] == "2"

    assert api.get(f"/Questionnaire/{rid}/_history/1").json()["status"] == "active"
    assert api.get(f"/Questionnaire/{rid}/_history/2").json()["status"] == "retired"
    history = api.get(f"/Questionnaire/{rid}/_history").json()
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]


def test_an_unchanged_put_makes_no_version(api: httpx.Client) -> None:
    created = create(api, _template(0))
    response = api.put(f"/Questionnaire/{created['id']}", json=created, headers=FHIR)
    assert response.status_code == 200
    assert response.json()["meta"]["versionId"] == "1"
    assert len(api.get(f"/Questionnaire/{created['id']}/_history").json()["entry"]) == 1


def test_searches_by_identifier_url_version_status_and_names(api: httpx.Client) -> None:
    mco, gp = create(api, _template(0)), create(api, _template(1))
    assert _search(api, identifier="MS-141") == [mco["id"]]
    assert _search(api, identifier="https://openror.org/fhir/entry-template|OR-VILLE-MG") \
        == [gp["id"]]
    assert _search(api, url=gp["url"]) == [gp["id"]]
    assert _search(api, url=mco["url"], version="1") == [mco["id"]]
    assert _search(api, url=mco["url"], version="2") == []
    assert _search(api, status="active") == sorted([mco["id"], gp["id"]])
    assert _search(api, status="draft") == []
    assert _search(api, name="MS-141") == [mco["id"]]
    assert _search(api, title="cabinet de ville") == [gp["id"]]


def test_searches_by_use_context(api: httpx.Client) -> None:
    mco, gp = create(api, _template(0)), create(api, _template(1))
    # a hospital gynecology unit (category 355) / a group practice (SA08)
    assert _search(api, context=f"{R66}|355") == [mco["id"]]
    assert _search(api, context="SA08") == [gp["id"]]
    assert _search(api, **{"category-eg": "355"}) == [mco["id"]]
    # profession 10 is a médecin for the GP template only, and not an EG category of any
    assert _search(api, context=f"{G15}|10") == [gp["id"]]
    assert _search(api, **{"category-eg": "10"}) == []
    # comma = OR, repeated = AND: field 01 (MCO) and category 355 hold on MS-141 only
    assert _search(api, context="SA07,355") == sorted([mco["id"], gp["id"]])
    assert api.get("/Questionnaire?context=01&context=355").json()["total"] == 1
    assert _search(api, **{"context-type": "P01"}) == [gp["id"]]


def test_capability_statement_declares_the_template_api(api: httpx.Client) -> None:
    statement = api.get("/metadata").json()
    entry = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Questionnaire")
    assert {i["code"] for i in entry["interaction"]} >= {
        "create", "update", "read", "vread", "history-instance", "search-type"}
    names = {p["name"] for p in entry["searchParam"]}
    assert names >= {"identifier", "url", "version", "status", "name", "title", "context",
                     "context-type", "category-eg", "_id", "_lastUpdated"}
    assert entry["profile"].endswith("/ror-questionnaire-healthcareservice")


def _broken(change: str) -> dict[str, Any]:
    body = _template(1)
    items = body["item"][2]["item"]  # the offer's group
    if change == "no catEG":
        body["useContext"] = [c for c in body["useContext"] if c["code"]["code"] != "EG"]
    elif change == "catEG outside JDV_J55":
        body["useContext"][0]["valueCodeableConcept"]["coding"][0]["code"] = "SA01"
    elif change == "no launchContext":
        del body["extension"]
    elif change == "no title":
        del body["title"]
    elif change == "two subject types":
        body["subjectType"] = ["HealthcareService", "Location"]
    elif change == "code":
        body["code"] = [{"system": "http://loinc.org", "code": "1234-5"}]
    elif change == "item code":
        items[0]["code"] = [{"code": "x"}]
    elif change == "duplicate linkId":
        items[1]["linkId"] = items[0]["linkId"]
    elif change == "unknown enableWhen":
        zone = next(i for i in items if i["linkId"] == "ZoneInter")
        zone["enableWhen"][0]["question"] = "Modalite"
    return body


@pytest.mark.parametrize(("change", "expression"), [
    ("no catEG", "Questionnaire.useContext.where(code.code='EG')"),
    ("catEG outside JDV_J55", "Questionnaire.useContext[0].valueCodeableConcept.coding[0].code"),
    ("no launchContext", "Questionnaire.extension('http://hl7.org/fhir/uv/sdc/"
     "StructureDefinition/sdc-questionnaire-launchContext')"),
    ("no title", "Questionnaire.title"),
    ("two subject types", "Questionnaire.subjectType"),
    ("code", "Questionnaire.code"),
    ("item code", "Questionnaire.item[2].item[0].code"),
    ("duplicate linkId", "Questionnaire.item[2].item[1].linkId"),
    ("unknown enableWhen", "Questionnaire.item[2].item[14].enableWhen[0].question"),
])
def test_profile_errors_are_400_with_the_element(api: httpx.Client, change: str,
                                                 expression: str) -> None:
    response = api.post("/Questionnaire", json=_broken(change), headers=FHIR)
    assert response.status_code == 400, response.text
    issues = response.json()["issue"]
    assert [i.get("expression") for i in issues if i["severity"] == "error"] == [[expression]]
    assert api.get("/Questionnaire").json()["total"] == 0


@needs_validator
def test_bundled_templates_as_served_pass_the_profile_validator(api: httpx.Client,
                                                                tmp_path: Path) -> None:
    for body in bundled_templates():
        ref = f"/Questionnaire/{body['id']}"
        assert api.put(ref, json=body, headers=FHIR).status_code == 201
        (tmp_path / f"{body['id']}.json").write_text(json.dumps(api.get(ref).json()),
                                                     encoding="utf-8")
    run = subprocess.run(["node", str(VALIDATOR / "validate.mjs"), "--json", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert len(report["report"]) == 2
    assert not [i for e in report["report"] for r in e["results"] for i in r["issues"]
                if i["severity"] == "error"]
