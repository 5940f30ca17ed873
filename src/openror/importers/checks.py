"""The check phase: would the write path accept this record? (Everything but references, which
are resolved and checked when the record is applied.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from openror.errors import Issue
from openror.fhir import resource_types
from openror.fhir.references import may_refer_logically
from openror.fhir.validate import validate_resource
from openror.importers.base import Record, Reject
from openror.services import metadata
from openror.terminology import Terminology


def placeholder_references(node: Any) -> Any:
    """Logical references by identifier → a literal placeholder, so validation sees a Reference
    of the right type (the real id is known only when the record is applied)."""
    if isinstance(node, dict):
        if "identifier" in node and isinstance(node.get("type"), str) and len(node) == 2:
            return {"reference": f"{node['type']}/placeholder"}
        return {k: placeholder_references(v) for k, v in node.items()}
    if isinstance(node, list):
        return [placeholder_references(v) for v in node]
    return node


def stamped(record: Record, region: str) -> dict[str, Any]:
    """A copy of the record's resource with the metadata the server would add."""
    raw = orjson.dumps(record.resource)
    body: dict[str, Any] = orjson.loads(raw)
    if may_refer_logically(raw):
        body = placeholder_references(body)
    rt = resource_types.get(record.type)
    if rt is None:
        return body
    now = datetime.now(UTC).replace(tzinfo=None)
    metadata.stamp(body, rt, "check", 1, now, region)
    metadata.ensure_creation_date(body, None, now)
    metadata.ensure_functional_identifier(body, rt, None, region, lambda _name: 0)
    return body


def check_record(record: Record, terminology: Terminology, region: str = "11"
                 ) -> tuple[list[Reject], list[Issue]]:
    """Rejects for the errors (one per issue, ``line N, field X: …``) and the warnings."""
    if resource_types.get(record.type) is None:
        return [Reject(record.line, "resourceType", f"unsupported type {record.type}")], []
    issues = validate_resource(stamped(record, region), terminology)
    rejects = [Reject(record.line, ", ".join(i.expression) or record.type, i.diagnostics)
               for i in issues if i.is_error]
    return rejects, [i for i in issues if not i.is_error]
