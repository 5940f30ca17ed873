"""The compiled FHIR R4 structure table (data/r4-structure.json, made by tools/gen_r4_structure.py).

The JSON lists element paths; validation needs, for each JSON object being read, a dict from
property name to element definition. This module builds those dicts once ("owners": a resource,
a datatype or a backbone element path) so the validator does one dict lookup per property.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

PRIM: Final = 0
COMPLEX: Final = 1
BACKBONE: Final = 2
RESOURCE: Final = 3

DATA_FILE: Final = Path(__file__).parent / "data" / "r4-structure.json"
ELEMENT_OWNER: Final = "Element"  # what a `_name` primitive twin may contain


@dataclass(frozen=True, slots=True)
class Elem:
    name: str  # JSON property name (choice variants expanded: valueString)
    type: str  # FHIR type code ("string", "Coding", "BackboneElement", "Resource")
    kind: int  # PRIM, COMPLEX, BACKBONE or RESOURCE
    owner: str  # key in R4Model.owners describing the value's content ("" for primitives)
    many: bool
    choice: str | None  # "value[x]" when this is one variant of a choice element


@dataclass(frozen=True, slots=True)
class Owner:
    elements: dict[str, Elem]
    # (name shown in messages, JSON keys any of which satisfies the minimum cardinality)
    required: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Primitive:
    name: str
    json: str  # "string", "number" or "boolean"
    match: Callable[[str], object] | None  # compiled regex fullmatch, None when unchecked


@dataclass(frozen=True, slots=True)
class R4Model:
    owners: dict[str, Owner]
    primitives: dict[str, Primitive]
    resources: frozenset[str]


@cache
def r4_model() -> R4Model:
    """Load and compile the table once per process."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    primitives = {name: _primitive(name, spec) for name, spec in raw["primitives"].items()}
    owners: dict[str, Owner] = {}
    resources = []
    for tname, tdef in raw["types"].items():
        if tdef["kind"] == "resource":
            resources.append(tname)
        owners.update(_owners_of(tname, tdef["elements"], primitives))
    element_id = Elem("id", "string", PRIM, "", False, None)
    element_ext = Elem("extension", "Extension", COMPLEX, "Extension", True, None)
    owners[ELEMENT_OWNER] = Owner({"id": element_id, "extension": element_ext}, ())
    return R4Model(owners, primitives, frozenset(resources))


def _primitive(name: str, spec: dict[str, Any]) -> Primitive:
    # Numbers and booleans are checked by their JSON kind; the regexes matter for strings only.
    regex = spec.get("regex") if spec["json"] == "string" else None
    if name in ("string", "markdown", "xhtml"):
        regex = None  # "[ \r\n\t\S]+" only forbids the empty string, checked separately
    return Primitive(name, spec["json"], re.compile(regex).fullmatch if regex else None)


def _owners_of(
    tname: str, elements: dict[str, dict[str, Any]], primitives: dict[str, Primitive]
) -> dict[str, Owner]:
    children: dict[str, dict[str, Elem]] = {tname: {}}
    required: dict[str, dict[str, list[str]]] = {tname: {}}
    for path, spec in elements.items():
        parent, name = path.rsplit(".", 1)
        elem = _elem(path, name, spec, primitives)
        children.setdefault(parent, {})[name] = elem
        if elem.kind == BACKBONE and "contentReference" not in spec:
            children.setdefault(path, {})
        if spec["min"] > 0:
            shown = spec.get("choice", path).rsplit(".", 1)[1]
            keys = required.setdefault(parent, {}).setdefault(shown, [])
            keys.extend([name, "_" + name] if elem.kind == PRIM else [name])
    return {
        key: Owner(elems, tuple((n, tuple(k)) for n, k in required.get(key, {}).items()))
        for key, elems in children.items()
    }


def _elem(path: str, name: str, spec: dict[str, Any], primitives: dict[str, Primitive]) -> Elem:
    many = spec["max"] != "1"
    choice = spec.get("choice")
    choice_name = choice.rsplit(".", 1)[1] if choice else None
    if "contentReference" in spec:
        return Elem(name, "BackboneElement", BACKBONE, spec["contentReference"], many, None)
    ftype = spec["types"][0] if spec["types"] else "string"
    if ftype in primitives:
        return Elem(name, ftype, PRIM, "", many, choice_name)
    if ftype in ("BackboneElement", "Element"):
        return Elem(name, "BackboneElement", BACKBONE, path, many, choice_name)
    if ftype == "Resource":
        return Elem(name, ftype, RESOURCE, "", many, choice_name)
    return Elem(name, ftype, COMPLEX, ftype, many, choice_name)
