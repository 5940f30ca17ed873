"""The CapabilityStatement declares every search parameter of the ROR 0.7.0 server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openror.api.capability import capability_statement

ROR_CS = (Path(__file__).resolve().parents[4] / "shared" / "ror-ig" / "spec"
          / "CapabilityStatement-ror-serveur.json")


def _by_type(cs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["type"]: r for r in cs["rest"][0]["resource"]}


def test_every_ror_parameter_include_and_revinclude_is_declared() -> None:
    ror = _by_type(json.loads(ROR_CS.read_text()))
    ours = _by_type(capability_statement("http://localhost/fhir"))
    for rtype, theirs in ror.items():
        declared = {(p["name"], p["type"]) for p in ours[rtype]["searchParam"]}
        wanted = {(p["name"], p["type"]) for p in theirs.get("searchParam", [])}
        assert wanted <= declared, (rtype, wanted - declared)
        for key in ("searchInclude", "searchRevInclude"):
            wanted_refs = {i.strip() for s in theirs.get(key, []) for i in s.split(",")}
            own = set(ours[rtype].get(key, []))
            # the ROR lists the full offer graph on HealthcareService; includes of other
            # source types are declared on their own type
            assert {i for i in wanted_refs if i.startswith(rtype + ":")} <= own, (rtype, key)


def test_parameters_carry_a_definition_or_documentation() -> None:
    for resource in _by_type(capability_statement("http://x/fhir")).values():
        for p in resource.get("searchParam", []):
            assert p.get("documentation"), p
