"""Every resource family has the same anatomy: a registry entry, a profile, a validator route."""

from __future__ import annotations

from openror.fhir import resource_types
from openror.fhir.structure import validate_structure


def test_every_registered_type_has_a_profile_and_a_structure() -> None:
    for rt in resource_types.REGISTRY.values():
        assert rt.profiles, rt.name
        assert all(p.startswith("https://interop.esante.gouv.fr/ig/fhir/ror/") for p in rt.profiles)
        issues = validate_structure({"resourceType": rt.name})
        assert not any("unknown resource type" in i.diagnostics for i in issues), rt.name


def test_read_only_types_refuse_writes() -> None:
    for name in ("Measure", "MeasureReport"):
        rt = resource_types.REGISTRY[name]
        assert rt.allows("read") and not rt.allows("create") and not rt.allows("patch")
