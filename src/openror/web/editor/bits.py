"""Small readers and writers of FHIR JSON the editor's forms share."""

from __future__ import annotations

import math
from typing import Any

Json = dict[str, Any]

UCUM = "http://unitsofmeasure.org"


def dicts(value: Any) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def codings(concept: Any) -> list[Json]:
    return dicts(concept.get("coding")) if isinstance(concept, dict) else []


def codes(concepts: Any, system: str) -> list[str]:
    """The codes of ``system`` in a list of CodeableConcepts (or one), in order."""
    items = concepts if isinstance(concepts, list) else [concepts]
    return [str(c["code"]) for concept in items for c in codings(concept)
            if c.get("system") == system and isinstance(c.get("code"), str)]


def has_system(concept: Any, system: str) -> bool:
    return any(c.get("system") == system for c in codings(concept))


def concept(system: str, code: str) -> Json:
    return {"coding": [{"system": system, "code": code}]}


def extension(body: Json, url: str) -> Json | None:
    return next((e for e in dicts(body.get("extension")) if e.get("url") == url), None)


def part(ext: Json | None, url: str) -> Json | None:
    return None if ext is None else next(
        (e for e in dicts(ext.get("extension")) if e.get("url") == url), None)


def reference_ids(value: Any, rtype: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    prefix = f"{rtype}/"
    return [str(i["reference"]).removeprefix(prefix) for i in dicts(items)
            if str(i.get("reference") or "").startswith(prefix)]


def set_or_drop(body: Json, key: str, value: Any) -> None:
    """Set ``key``, or remove it when the value is empty (FHIR allows no empty element)."""
    if value in (None, "", [], {}):
        body.pop(key, None)
    else:
        body[key] = value


def number_text(value: Any) -> str:
    """A JSON number as typed back in a form: 18, 0.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_number(text: str) -> int | float | None:
    """A number typed with a point or a French decimal comma; None when it is not one."""
    try:
        found = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    if not math.isfinite(found):
        return None
    return int(found) if found.is_integer() else found
