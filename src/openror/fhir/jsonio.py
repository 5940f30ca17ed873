"""Parsing and canonical serialisation of FHIR JSON.

Canonical form: compact UTF-8 JSON, ``resourceType``, ``id`` and ``meta`` first, then the
other elements in the order the client sent them. The stored bytes are served as they are.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from openror.errors import InvalidInput, error

_HEAD = ("resourceType", "id", "meta")


def canonical(body: dict[str, Any]) -> dict[str, Any]:
    ordered = {k: body[k] for k in _HEAD if k in body}
    ordered.update((k, v) for k, v in body.items() if k not in ordered)
    return ordered


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON: an orjson round trip, ~10x faster than copy.deepcopy
    (which stays the road for values that are not plain JSON: Decimal, huge integers)."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError:
        return copy.deepcopy(value)


def dumps(body: dict[str, Any]) -> bytes:
    return orjson.dumps(canonical(body))


def loads_resource(raw: bytes, where: str = "request body") -> dict[str, Any]:
    """Parse a JSON object with a ``resourceType``; bad input says exactly what is wrong."""
    if not raw.strip():
        raise InvalidInput([error("invalid", f"the {where} is empty: send a FHIR JSON resource")])
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput([error("invalid", f"the {where} is not valid JSON: {exc}")]) from exc
    if not isinstance(body, dict):
        raise InvalidInput([error("structure", f"the {where} must be a JSON object")])
    rtype = body.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise InvalidInput([error(
            "required", f"the {where} has no 'resourceType': add it (e.g. \"Organization\")",
            "resourceType")])
    return body
