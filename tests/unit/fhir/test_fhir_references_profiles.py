"""literal_references, profile_for, and the generated structure table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openror.fhir import profiles as p
from openror.fhir.r4model import DATA_FILE
from openror.fhir.references import ReferenceSite, literal_references, target_type

ROOT = Path(__file__).resolve().parents[3]


def test_literal_references(hs: dict[str, Any]) -> None:
    hs["contained"] = [{"resourceType": "Location", "id": "c1",
                        "partOf": {"reference": "Location/9"}}]
    hs["location"].append({"reference": "#c1"})
    hs["location"].append({"identifier": {"value": "x"}})
    assert literal_references(hs) == [
        ReferenceSite("HealthcareService.providedBy", "Organization", "999999"),
        ReferenceSite("HealthcareService.location[0]", "Location", "888888"),
        ReferenceSite("HealthcareService.contained[0].partOf", "Location", "9"),
    ]


def test_target_type_forms() -> None:
    res = {"contained": [{"resourceType": "Location", "id": "a"}]}
    assert target_type({"reference": "#a"}, res) == "Location"
    assert target_type({"reference": "https://h/fhir/Organization/1/_history/2"}, res) == \
        "Organization"
    assert target_type({"identifier": {"value": "1"}, "type": "Organization"}, res) == \
        "Organization"
    assert target_type({"identifier": {"value": "1"}}, res) is None


@pytest.mark.parametrize(("resource", "profile"), [
    ({"resourceType": "HealthcareService"}, p.PROFILE_HEALTHCARESERVICE),
    ({"resourceType": "Organization"}, p.PROFILE_ORGANIZATION),
    ({"resourceType": "Organization", "identifier": [{"system": p.SYSTEM_OI, "value": "1"}]},
     p.PROFILE_INTERNAL_ORGANIZATION),
    ({"resourceType": "Organization", "type": [{"coding": [{"code": "UF"}]}]},
     p.PROFILE_ORGANIZATION_UF),
    ({"resourceType": "Organization", "type": [{"coding": [{"system": p.nos_url(
        "TRE_R203-TypeOrganisationInterne"), "code": "01"}]}]}, p.PROFILE_INTERNAL_ORGANIZATION),
    ({"resourceType": "Organization", "meta": {"profile": [p.PROFILE_ORGANIZATION_UF + "|0.7.0"]}},
     p.PROFILE_ORGANIZATION_UF),
    ({"resourceType": "Bundle"}, None),
])
def test_profile_for(resource: dict[str, Any], profile: str | None) -> None:
    assert p.profile_for(resource) == profile


def test_structure_table_content() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    hs = data["types"]["HealthcareService"]["elements"]
    assert hs["HealthcareService.providedBy"] == {"max": "1", "min": 0, "types": ["Reference"]}
    ext = data["types"]["Extension"]["elements"]
    assert ext["Extension.valueString"]["choice"] == "Extension.value[x]"
    assert data["types"]["Questionnaire"]["elements"]["Questionnaire.item.item"][
        "contentReference"] == "Questionnaire.item"
    assert "regex" in data["primitives"]["dateTime"]


@pytest.mark.skipif(not Path("/tmp/meddef/package/dist/fhir/r4").is_dir(),
                    reason="R4 definitions not unpacked")
def test_generator_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "r4.json"
    subprocess.run([sys.executable, str(ROOT / "tools" / "gen_r4_structure.py"),
                    "/tmp/meddef/package/dist/fhir/r4", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == DATA_FILE.read_bytes()
