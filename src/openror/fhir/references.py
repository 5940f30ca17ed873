"""Literal references of a resource: where they are and which resource type they point to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

_RELATIVE: Final = re.compile(
    r"([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?"
).fullmatch


@dataclass(frozen=True)
class ReferenceSite:
    expression: str  # e.g. "HealthcareService.location[0]"
    target_type: str
    target_id: str


def literal_references(resource: dict[str, Any]) -> list[ReferenceSite]:
    """Every relative ``Type/id`` reference in the resource (contained ``#x`` ones skipped)."""
    out: list[ReferenceSite] = []
    _collect(resource, str(resource.get("resourceType", "")), out)
    return out


def _collect(node: Any, path: str, out: list[ReferenceSite]) -> None:
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str):
            match = _RELATIVE(ref)
            if match:
                out.append(ReferenceSite(path, match.group(1), match.group(2)))
        for key, value in node.items():
            if isinstance(value, dict | list):
                _collect(value, f"{path}.{key}", out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict | list):
                _collect(item, f"{path}[{i}]", out)


def target_type(ref: dict[str, Any], resource: dict[str, Any]) -> str | None:
    """Resource type a Reference points to, when it can be told without resolving it.

    Uses ``reference`` (relative, absolute URL or ``#contained``) and falls back to ``type``;
    a logical reference by identifier alone has no type unless ``type`` is given.
    """
    literal = ref.get("reference")
    if isinstance(literal, str):
        if literal.startswith("#"):
            return _contained_type(resource, literal[1:])
        if not literal.startswith("urn:"):
            tail = literal.split("/_history/", 1)[0].rstrip("/").split("/")
            if len(tail) >= 2 and _RELATIVE(f"{tail[-2]}/{tail[-1]}"):
                return tail[-2]
    declared = ref.get("type")
    if isinstance(declared, str) and declared:
        return declared.rsplit("/", 1)[-1]  # `type` may be a StructureDefinition URL
    return None


def _contained_type(resource: dict[str, Any], local_id: str) -> str | None:
    for item in resource.get("contained") or ():
        if isinstance(item, dict) and item.get("id") == local_id:
            rtype = item.get("resourceType")
            return rtype if isinstance(rtype, str) else None
    return None
