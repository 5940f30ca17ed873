"""Records as stored in the staging table (JSON), and back."""

from __future__ import annotations

from typing import Any

import orjson

from openror.importers.base import Key, Record


def encode(record: Record, seq: int) -> dict[str, Any]:
    """A staging row for ``record``."""
    # Built by hand: dataclasses.asdict deep-copies the resource, which costs more than
    # serialising it.
    data = {"line": record.line, "resource": record.resource,
            "key": {"system": record.key.system, "value": record.key.value},
            "owned": sorted(record.owned), "owned_extensions": sorted(record.owned_extensions),
            "rank": record.rank, "scope": record.scope, "group": record.group}
    if record.reference is not None:
        data["reference"] = record.reference
    return {"seq": seq, "line": record.line, "type": record.type, "key_system": record.key.system,
            "key_value": record.key.value, "ord": record.order, "scope": record.scope,
            "record": orjson.dumps(data), "checked": False}


def decode(data: dict[str, Any]) -> Record:
    return Record(data["line"], data["resource"], Key(**data["key"]), frozenset(data["owned"]),
                  frozenset(data["owned_extensions"]), data["rank"], data["scope"], data["group"],
                  data.get("reference"))
