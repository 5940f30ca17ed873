"""Builders of the small FHIR datatypes every producer of resources writes (importers, the
dataset generator)."""

from __future__ import annotations

from typing import Any

from openror.fhir.profiles import EXT_COORDINATE_RELIABILITY


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding."""
    return {"coding": [coding(system, code, display)]}


def position(lat: float, lon: float, *, reliable: bool | None = None) -> dict[str, Any]:
    """Location.position in WGS84; ``reliable=False`` marks an approximate point (for
    instance a commune's centre standing in for an address: ROR "coordonnées fiables")."""
    found: dict[str, Any] = {"latitude": round(lat, 7), "longitude": round(lon, 7)}
    if reliable is not None:
        found["extension"] = [{"url": EXT_COORDINATE_RELIABILITY, "valueBoolean": reliable}]
    return found
