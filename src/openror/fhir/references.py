"""Literal references of a resource: where they are and which resource type they point to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

_RELATIVE: Final = re.compile(
    r"([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?"
).fullmatch


# In canonical JSON (orjson, no spaces) a literal reference reads "reference":"Type/id[...]".
_IN_JSON: Final = re.compile(
    rb'"reference":"([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?"'
)


def reference_targets(content: bytes) -> frozenset[tuple[str, str]]:
    """(type, id) of every relative reference in a resource's canonical JSON.

    A regular expression over the stored bytes: on every write this is several times faster
    than walking the resource, and where a reference sits is needed only to report an error or
    a referrer, when ``literal_references`` walks it."""
    return frozenset((t.decode(), i.decode()) for t, i in _IN_JSON.findall(content))


_LOGICAL: Final = re.compile(
    rb'"type":"[A-Za-z]+","identifier":\{|"identifier":\{[^{}]*\},"type":"')


def may_refer_logically(content: bytes) -> bool:
    """Whether JSON may hold a logical reference (``{"type", "identifier"}``, as importers
    write them): most resources hold none, and a pattern is much cheaper than a walk."""
    return _LOGICAL.search(content) is not None


@dataclass(frozen=True)
class ReferenceSite:
    expression: str  # e.g. "HealthcareService.location[0]"
    target_type: str
    target_id: str


def literal_references(resource: dict[str, Any]) -> list[ReferenceSite]:
    """Every relative ``Type/id`` reference in the resource (contained ``#x`` ones skipped)."""
    out: list[ReferenceSite] = []
    _collect(resource, [str(resource.get("resourceType", ""))], out)
    return out


def _collect(node: Any, path: list[str], out: list[ReferenceSite]) -> None:
    # Runs on every write: the path is a list of parts joined only where a reference is found.
    if type(node) is dict:
        ref = node.get("reference")
        if type(ref) is str:
            match = _RELATIVE(ref)
            if match:
                out.append(ReferenceSite("".join(path), match.group(1), match.group(2)))
        for key, value in node.items():
            kind = type(value)
            if kind is dict or kind is list:
                path.append("." + key)
                _collect(value, path, out)
                path.pop()
    else:
        for i, item in enumerate(node):
            kind = type(item)
            if kind is dict or kind is list:
                path.append(f"[{i}]")
                _collect(item, path, out)
                path.pop()


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
