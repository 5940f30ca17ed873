"""Where each field's value comes from: registry, professional, referent, regional operator.

Kept in the resource itself (``meta.extension``, one entry per source listing its top-level
elements), so it is served by the API with the resource, versioned with it, and never drifts
from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FIELD_SOURCE = "https://openror.org/fhir/StructureDefinition/field-source"
#: the labels the write path records (access control gives API writers theirs)
SOURCES = ("registry", "professional", "referent", "operator", "api", "import")
_SERVER_ELEMENTS = frozenset({"resourceType", "id", "meta"})


def sources(body: dict[str, Any]) -> dict[str, str]:
    """element -> source, as recorded in the resource."""
    found: dict[str, str] = {}
    for ext in (body.get("meta") or {}).get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == FIELD_SOURCE:
            parts = [p for p in ext.get("extension") or [] if isinstance(p, dict)]
            source = next((p.get("valueCode") for p in parts if p.get("url") == "source"), None)
            for part in parts:
                element = part.get("valueString")
                if part.get("url") == "element" and isinstance(element, str) and source:
                    found[element] = str(source)
    return found


def changed_elements(previous: dict[str, Any] | None, body: dict[str, Any]) -> set[str]:
    keys = set(body) | set(previous or {})
    old = previous or {}
    return {k for k in keys - _SERVER_ELEMENTS if old.get(k) != body.get(k)}


def record(body: dict[str, Any], previous: dict[str, Any] | None,
           elements: Iterable[str], source: str) -> None:
    """Carry the previous sources over and mark ``elements`` as coming from ``source``."""
    merged = sources(previous) if previous else {}
    merged.update(sources(body))
    for element in elements:
        merged[element] = source
    present = {k for k in merged if k in body}
    meta = body.setdefault("meta", {})
    others = [e for e in meta.get("extension") or [] if e.get("url") != FIELD_SOURCE]
    by_source: dict[str, list[str]] = {}
    for element in sorted(present):
        by_source.setdefault(merged[element], []).append(element)
    entries = [_entry(source, elements) for source, elements in sorted(by_source.items())]
    if others or entries:
        meta["extension"] = others + entries
    else:
        meta.pop("extension", None)


def _entry(source: str, elements: list[str]) -> dict[str, Any]:
    """One entry per source, listing its elements (compact: a resource has a few sources)."""
    return {"url": FIELD_SOURCE, "extension": [
        {"url": "source", "valueCode": source},
        *({"url": "element", "valueString": element} for element in elements)]}
