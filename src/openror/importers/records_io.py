"""Records as stored in the staging table (JSON), and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson

from openror.importers.base import Key, Record


def encode(record: Record, seq: int) -> dict[str, Any]:
    """A staging row for ``record``."""
    data = asdict(record)
    data["owned"], data["owned_extensions"] = sorted(record.owned), sorted(record.owned_extensions)
    return {"seq": seq, "line": record.line, "type": record.type, "key_system": record.key.system,
            "key_value": record.key.value, "ord": record.order, "scope": record.scope,
            "record": orjson.dumps(data), "checked": False}


def decode(data: dict[str, Any]) -> Record:
    return Record(data["line"], data["resource"], Key(**data["key"]), frozenset(data["owned"]),
                  frozenset(data["owned_extensions"]), data["rank"], data["scope"], data["group"])
