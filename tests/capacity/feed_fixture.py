"""Places of care and feed requests as a bed-management system sends them (the ROR's
``patch-capacitaire`` page): one site (FINESS 020000261, IdNatStruct 1020000261) with two
units, and a place of another site."""

from __future__ import annotations

from typing import Any

import httpx

from openror.fhir import capacity_indicators as ci
from tests.builders import SD, tre

SITE = "1020000261"
OTHER_SITE = "1020000303"
R354 = tre("TRE_R354-TypeIdentifiantRessourceOperationnelle")
FEED = "/fhir/ws-synchro-dispo-lits-fhir/Location"
FHIR = {"Content-Type": "application/fhir+json"}
NOW = "2026-11-25T08:00:00+01:00"


def coded(name: str, code: str) -> dict[str, Any]:
    return {"url": name, "valueCodeableConcept": {"coding": [
        {"system": ci.SYSTEMS[name], "code": code}]}}


def record(status: str, count: int, *, updated: str = NOW, temporality: str = "01",
           nature: str = "01", source: str = "02", **extra: str) -> dict[str, Any]:
    """One capacity record; ``extra``: genderCapacityAvailable="01", capacityClosingType=…"""
    parts = [coded("capacityType", nature), coded("capacityStatus", status),
             coded("temporalityCapacity", temporality),
             {"url": "nbCapacity", "valueInteger": count},
             {"url": "capacitySourceType", "valueCodeableConcept": {"coding": [
                 {"system": tre("TRE_R335-TypeSourceCapacite"), "code": source}]}},
             {"url": "capacityUpdateDate", "valueDateTime": updated},
             coded("temporaryAssignement", extra.pop("temporaryAssignement", "01"))]
    parts += [coded(name, code) for name, code in extra.items()]
    return {"url": ci.URL, "extension": parts}


def place(rid: str, external: str | None, *records: dict[str, Any],
          region: str = "32", commune: str = "02691") -> dict[str, Any]:
    identifiers = [{"type": {"coding": [{"system": R354, "code": "25"}]},
                    "value": f"{region}/{rid}"}]
    if external:
        identifiers.append({"type": {"coding": [{"system": R354, "code": "26"}]},
                            "value": external})
    return {
        "resourceType": "Location", "id": rid,
        "meta": {"tag": [{"system": tre("TRE_R30-RegionOM"), "code": region}]},
        "extension": [
            {"url": SD + "ror-meta-creation-date", "valueDateTime": "2024-01-15T10:00:00Z"},
            {"url": SD + "ror-commune-cog", "valueCodeableConcept": {"coding": [
                {"system": tre("TRE_R13-CommuneOM"), "code": commune}]}},
            *records],
        "identifier": identifiers, "name": f"Unité {rid}",
    }


def installed(count: int = 20, **kw: Any) -> dict[str, Any]:
    return record("01", count, **kw)


def available(count: int, gender: str = "01", **kw: Any) -> dict[str, Any]:
    return record("02", count, genderCapacityAvailable=gender, **kw)


def indicator_path(status: str, *, temporality: str = "01", gender: str | None = None,
                   closing: str | None = None, assignment: str = "01") -> str:
    """The FHIRPath a feeder addresses one indicator with: every attribute, absent ones
    included."""
    wanted = {"capacityStatus": status, "temporalityCapacity": temporality,
              "genderCapacityAvailable": gender, "capacityClosingType": closing,
              "additionalBedType": None, "crisisType": None,
              "temporaryAssignement": assignment}
    criteria = [f"url='{ci.URL}'"]
    for name, code in wanted.items():
        criteria.append(
            f"extension.where(url='{name}').value.coding.code='{code}'" if code
            else f"extension.where(url='{name}').empty()")
    return f"Location.extension.where({' and '.join(criteria)})"


def operation(kind: str, value: dict[str, Any] | None, path: str = "Location") -> dict[str, Any]:
    """One operation in the ROR's shape: the record in a part's ``extension``."""
    parts: list[dict[str, Any]] = [{"name": "type", "valueString": kind},
                                   {"name": "path", "valueString": path}]
    if value is not None:
        parts.append({"name": "value", "part": [{"extension": [value]}]})
    return {"name": "operation", "part": parts}


def feed_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(operations)}


def replace(value: dict[str, Any], path: str) -> dict[str, Any]:
    return feed_body(operation("replace", value, path))


def add(value: dict[str, Any]) -> dict[str, Any]:
    return feed_body(operation("add", value))


def send(client: httpx.Client, body: dict[str, Any], identifier: str = f"{SITE}/UF0001",
         **headers: str) -> httpx.Response:
    return client.patch(FEED, params={"identifier": identifier}, json=body,
                        headers={**FHIR, **headers})
