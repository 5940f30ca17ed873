"""Server-assigned metadata: id, version, lastUpdated, region tag, default profile, creation
date, and the functional identifiers ``<region>/<localId>`` of offers and places."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from openror.fhir.profiles import region_of
from openror.fhir.resource_types import ResourceType

NOS = "https://mos.esante.gouv.fr/NOS/"
REGION_SYSTEM = NOS + "TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
CREATION_DATE = (
    "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date"
)
#: kind -> (identifier type system, type code, counter name)
FUNCTIONAL_IDS = {
    "offer": (NOS + "TRE_R355-TypeIdentifiantOffre/FHIR/TRE-R355-TypeIdentifiantOffre", "35"),
    "place": (NOS + "TRE_R354-TypeIdentifiantRessourceOperationnelle/FHIR/"
              "TRE-R354-TypeIdentifiantRessourceOperationnelle", "25"),
}
#: resource types carrying the ROR creation-date extension
WITH_CREATION_DATE = frozenset(
    {"Organization", "HealthcareService", "Location", "Practitioner", "PractitionerRole", "Person"}
)


def fhir_instant(moment: datetime) -> str:
    """Naive UTC -> FHIR instant with microseconds (what _since compares against)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"


def stamp(body: dict[str, Any], rt: ResourceType, rid: str, version: int, now: datetime,
          default_region: str) -> str:
    """Set id and meta; return the region the resource belongs to."""
    body["id"] = rid
    meta = body.get("meta")
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta["versionId"] = str(version)
    meta["lastUpdated"] = fhir_instant(now)
    if not meta.get("profile") and rt.profiles:
        meta["profile"] = [rt.profiles[0]]
    body["meta"] = meta
    region = region_of(body)
    if region is None:
        region = default_region
        meta["tag"] = [*(meta.get("tag") or []), {"system": REGION_SYSTEM, "code": region}]
    return region


def ensure_creation_date(body: dict[str, Any], previous: dict[str, Any] | None,
                         now: datetime) -> None:
    """The creation date is server metadata: keep the first one, set it when missing."""
    if body["resourceType"] not in WITH_CREATION_DATE:
        return
    extensions = body.get("extension")
    if isinstance(extensions, list) and any(
        isinstance(e, dict) and e.get("url") == CREATION_DATE for e in extensions
    ):
        return
    old = _creation_extension(previous) if previous else None
    ext = old or {"url": CREATION_DATE, "valueDateTime": fhir_instant(now)}
    body["extension"] = [*(extensions if isinstance(extensions, list) else []), ext]


def _creation_extension(body: dict[str, Any]) -> dict[str, Any] | None:
    for ext in body.get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == CREATION_DATE:
            return ext
    return None


def functional_identifier(body: dict[str, Any], kind: str) -> dict[str, Any] | None:
    _system, code = FUNCTIONAL_IDS[kind]
    for ident in body.get("identifier") or []:
        if not isinstance(ident, dict):
            continue
        codings = (ident.get("type") or {}).get("coding") or []
        if any(isinstance(c, dict) and c.get("code") == code for c in codings):
            return ident
    return None


def ensure_functional_identifier(
    body: dict[str, Any], rt: ResourceType, previous: dict[str, Any] | None, region: str,
    next_number: Callable[[str], int],
) -> None:
    """Give offers and places their persistent ``<region>/<localId>`` identifier.

    An offer has exactly one identifier: one sent by the client is kept as it is. A place may
    also carry an external synchronisation id, so its functional id is looked up by type.
    """
    kind = rt.functional_identifier
    if kind is None:
        return
    idents = body.get("identifier")
    has_any = isinstance(idents, list) and len(idents) > 0
    if kind == "offer" and has_any:
        return
    if functional_identifier(body, kind) is not None:
        return
    kept = functional_identifier(previous, kind) if previous else None
    if kept is None:
        system, code = FUNCTIONAL_IDS[kind]
        number = next_number(f"{kind}:{region}")
        kept = {"type": {"coding": [{"system": system, "code": code}]},
                "value": f"{region}/{number:07d}"}
    body["identifier"] = [*(idents if isinstance(idents, list) else []), kept]
