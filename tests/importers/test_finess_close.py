"""Closing what vanished from a newer FINESS file: never deleted, marked closed."""

from __future__ import annotations

from datetime import date
from typing import Any

from openror.importers.finess import FinessSource, close_organization
from openror.importers.finess_model import EXT_CLOSING_TYPE, EXT_PERIOD

COMMENT = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-comment"


def org(*extensions: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Organization", "name": "CH", "extension": list(extensions)}


def by_url(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["url"]: e for e in resource["extension"]}


def test_organization_gets_end_today_keeps_start_and_other_extensions() -> None:
    current = org({"url": EXT_PERIOD, "valuePeriod": {"start": "1979-02-13"}},
                  {"url": COMMENT, "valueString": "entered by the referent"})
    closed = FinessSource().close(current)
    assert closed is not None
    found = by_url(closed)
    assert found[EXT_PERIOD]["valuePeriod"] == {"start": "1979-02-13",
                                                "end": date.today().isoformat()}
    assert found[EXT_CLOSING_TYPE]["valueCodeableConcept"]["coding"][0]["code"] == "DEF"
    assert found[COMMENT]["valueString"] == "entered by the referent"
    assert "end" not in by_url(current)[EXT_PERIOD]["valuePeriod"]  # input untouched


def test_already_closed_or_without_period() -> None:
    done = org({"url": EXT_PERIOD, "valuePeriod": {"start": "1979-02-13", "end": "2020-01-01"}})
    assert FinessSource().close(done) is None
    closed = close_organization(org(), "2026-01-02")
    assert closed is not None
    assert by_url(closed)[EXT_PERIOD]["valuePeriod"] == {"end": "2026-01-02"}


def test_location_is_closed_definitively_once() -> None:
    place = {"resourceType": "Location", "name": "CH",
             "operationalStatus": {"code": "OP"}, "description": "by the referent"}
    closed = FinessSource().close(place)
    assert closed is not None
    assert closed["operationalStatus"]["code"] == "FD"
    assert closed["description"] == "by the referent"
    assert FinessSource().close(closed) is None
    assert FinessSource().close({"resourceType": "HealthcareService"}) is None
