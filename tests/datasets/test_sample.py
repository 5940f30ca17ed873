"""The bundled demo sample: loads into an empty database, a second load is a no-op, and the
demo GP is there with her three practices and modalities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from openror.config import Settings
from openror.importers.sample import DEMO_GP_OFFER, load_sample, sample_resources
from openror.store.database import Database
from openror.store.resources import read_current

TRE_R338 = "https://mos.esante.gouv.fr/NOS/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil"


def _codes(offer: dict[str, Any], system: str) -> set[str]:
    return {c["code"] for cc in offer.get("characteristic", []) for c in cc["coding"]
            if c["system"] == system}


def _read(db: Database, rtype: str, rid: str) -> dict[str, Any]:
    with db.read() as conn:
        found = read_current(conn, rtype, rid)
    assert found is not None and found.content is not None, f"{rtype}/{rid} is missing"
    body: dict[str, Any] = orjson.loads(found.content)
    return body


def test_sample_loads_once_then_changes_nothing(db: Database, database_url: str,
                                                tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    total = sum(1 for _ in sample_resources())
    first = load_sample(settings)
    assert first.created == total > 10_000 and first.rejected == 0
    second = load_sample(settings)
    assert second.unchanged == total and second.created == second.updated == 0
    offer = _read(db, *DEMO_GP_OFFER.split("/"))
    assert offer["meta"]["versionId"] == "1"
    assert offer["meta"]["tag"][0]["code"] == "32"  # Hauts-de-France, kept from the sample


def test_demo_gp_practices_and_modalities() -> None:
    resources = {f"{r['resourceType']}/{r['id']}": r for r in sample_resources()}
    gp = [r for r in resources.values() if r["resourceType"] == "HealthcareService"
          and r["id"].startswith("demo-gp-")]
    providers = {o["providedBy"]["reference"] for o in gp}
    kinds = {resources[p]["type"][0]["coding"][0]["code"] for p in providers}
    assert kinds == {"SA07", "SA08", "124"}  # private office, group practice, health centre
    assert {o["specialty"][0]["coding"][0]["code"] for o in gp} == {"437", "485"}
    office = resources[DEMO_GP_OFFER]
    assert {"03", "04", "05", "10"} <= _codes(office, TRE_R338)
    assert office["availableTime"] and all(len(t["extension"]) == 2
                                           for t in office["availableTime"])
    levels = {e["valueCodeableConcept"]["coding"][0]["code"]
              for contact in office["extension"] if contact["url"].endswith("-contact")
              for e in contact["extension"] if e["url"].endswith("ror-confidentiality-level")}
    assert levels == {"1", "2", "3"}
    roles = [r for r in resources.values() if r["resourceType"] == "PractitionerRole"
             and r["id"].startswith("role-demo-gp-")]
    assert len(roles) == len(gp)
    assert len({r["practitioner"]["reference"] for r in roles}) == 1


def test_sample_covers_both_territories_and_anomalies() -> None:
    resources = list(sample_resources())
    sites = [r for r in resources if r["id"].startswith("eg-")]
    assert any(r["id"].startswith("eg-02") for r in sites)
    assert any(r["meta"]["tag"][0]["code"] == "03" for r in sites)  # Guyane
    assert sum(r["resourceType"] == "Task" for r in resources) >= 5
    assert any(r["id"] == "ror-healthcareservice-exemple-ville" for r in resources)
    capacities = [e for r in resources if r["resourceType"] == "Location"
                  for e in r.get("extension", []) if e["url"].endswith("supported-capacity")]
    assert capacities
