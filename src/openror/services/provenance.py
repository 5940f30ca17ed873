"""Where each field's value comes from: registry, professional, referent, regional operator.

Kept in the resource itself (``meta.extension``, one entry per top-level element), so it is
served by the API with the resource, versioned with it, and never drifts from it.
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
            parts = {p.get("url"): p for p in ext.get("extension") or [] if isinstance(p, dict)}
            element = parts.get("element", {}).get("valueString")
            source = parts.get("source", {}).get("valueCode")
            if isinstance(element, str) and isinstance(source, str):
                found[element] = source
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
    entries = [_entry(element, merged[element]) for element in sorted(present)]
    if others or entries:
        meta["extension"] = others + entries
    else:
        meta.pop("extension", None)


def _entry(element: str, source: str) -> dict[str, Any]:
    return {"url": FIELD_SOURCE, "extension": [
        {"url": "element", "valueString": element}, {"url": "source", "valueCode": source}]}
