"""The CapabilityStatement, generated from the resource-type registry so it states exactly what
the server implements."""

from __future__ import annotations

from typing import Any

from openror import __version__
from openror.fhir.resource_types import REGISTRY, ResourceType

ROR_IG = "https://interop.esante.gouv.fr/ig/fhir/ror/ImplementationGuide/ans.fhir.fr.ror|0.7.0"

_WRITE_NOTE = (
    "Writes are validated against the ROR 0.7.0 profile, the bundled NOS terminologies and "
    "reference integrity. Conditional create (If-None-Exist), update and patch "
    "(PUT/PATCH [type]?identifier=[system|]value) are supported. Deletion keeps a tombstone "
    "version; deleting a resource still referenced by another is refused (409)."
)


def _resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": rt.name,
        "profile": rt.profiles[0],
        "interaction": [{"code": code} for code in rt.interactions],
        "versioning": "versioned-update",
        "readHistory": True,
    }
    if len(rt.profiles) > 1:
        entry["supportedProfile"] = list(rt.profiles)
    if rt.allows("create"):
        entry.update(updateCreate=True, conditionalCreate=True, conditionalUpdate=True,
                     conditionalDelete="not-supported", documentation=_WRITE_NOTE)
    else:
        entry["documentation"] = "Read-only through the API."
    return entry


def capability_statement(base: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-25",
        "publisher": "OpenROR",
        "kind": "instance",
        "software": {"name": "OpenROR", "version": __version__},
        "implementation": {"description": "OpenROR FHIR server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "patchFormat": ["application/fhir+json"],
        "implementationGuide": [ROR_IG],
        "rest": [{
            "mode": "server",
            "documentation": "FHIRPath Patch only (Parameters in application/fhir+json).",
            "resource": [_resource(rt) for rt in REGISTRY.values()],
            "interaction": [{"code": "history-system"}],
        }],
    }
