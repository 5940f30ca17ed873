"""What an export asks for: the Bulk Data kick-off parameters, checked, and kept with the job
(as JSON) so that any server process can run it.

Choices where Bulk Data 2.0 and the ROR guide leave room (docs/api/export.md):
- without ``_type``, a ``_typeFilter`` limits the export to the types it names (the ROR
  regional extract is ``_typeFilter=HealthcareService?_tag=…|11`` alone);
- with ``includeAssociatedData=_myCompleteExtract`` the offers are exported with their whole
  graph (``sync.export.select``), and ``_typeFilter`` may only be on HealthcareService.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from openror.errors import InvalidInput, error
from openror.fhir.resource_types import REGISTRY
from openror.search.parse import RESULT_PARAMS, parse_query
from openror.store.resources import naive_utc

NDJSON = "application/fhir+ndjson"
BUNDLE = "application/fhir+json"
#: _outputFormat values -> the format written (the three of Bulk Data, the two of the ROR)
FORMATS = {NDJSON: NDJSON, "application/ndjson": NDJSON, "ndjson": NDJSON,
           BUNDLE: BUNDLE, "application/json": BUNDLE}
COMPLETE_EXTRACT = "_myCompleteExtract"
#: the types of an offer's graph, exported with it (HealthcareService first)
GRAPH_TYPES = ("HealthcareService", "Organization", "Location", "PractitionerRole",
               "Practitioner")
#: several _typeFilter queries in one value: split before each "Type?" (a comma inside a
#: query, between two values of a parameter, stays)
_QUERIES = re.compile(r",(?=[A-Z][A-Za-z]+\?)")
KNOWN = frozenset({"_outputFormat", "_type", "_since", "_typeFilter", "includeAssociatedData"})


@dataclass(frozen=True)
class ExportRequest:
    types: tuple[str, ...]  # the types exported, in order
    since: datetime | None = None  # naive UTC: resources changed after it
    type_filters: tuple[tuple[str, str], ...] = ()  # (type, query string): OR per type
    complete: bool = False  # includeAssociatedData=_myCompleteExtract
    output_format: str = NDJSON

    @property
    def ndjson(self) -> bool:
        return self.output_format == NDJSON

    def filters_of(self, rtype: str) -> list[str]:
        return [q for t, q in self.type_filters if t == rtype]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportRequest:
        return cls(tuple(data["types"]),
                   datetime.fromisoformat(data["since"]) if data["since"] else None,
                   tuple((t, q) for t, q in data["type_filters"]), bool(data["complete"]),
                   data["output_format"])


def parse(pairs: Sequence[tuple[str, str]], type_level: str | None = None) -> ExportRequest:
    """The kick-off parameters (query pairs, or those of a Parameters body) as a request;
    InvalidInput naming the parameter when one is unknown or wrong."""
    for key, _ in pairs:
        if key not in KNOWN:
            raise InvalidInput([error("not-supported", f"unknown $export parameter '{key}'; "
                                      f"this server takes {', '.join(sorted(KNOWN))}", key)])
    values: dict[str, list[str]] = {}
    for key, raw in pairs:
        values.setdefault(key, []).append(raw)
    output_format = _format(values.get("_outputFormat"))
    complete = _associated(values.get("includeAssociatedData"))
    filters = tuple(_type_filter(raw) for raws in values.get("_typeFilter", [])
                    for raw in _QUERIES.split(raws) if raw.strip())
    types = _types(values.get("_type"), type_level, filters, complete)
    for rtype, _ in filters:
        if rtype not in types:
            raise InvalidInput([error("invalid", f"_typeFilter on {rtype}, a type this export "
                                      "does not include (_type)", "_typeFilter")])
        if complete and rtype != "HealthcareService":
            raise InvalidInput([error("invalid", f"with includeAssociatedData={COMPLETE_EXTRACT}"
                                      " the offers drive the export: _typeFilter applies to "
                                      f"HealthcareService only, not {rtype}", "_typeFilter")])
    return ExportRequest(types, _since(values.get("_since")), filters, complete, output_format)


def _one(raws: list[str] | None, name: str) -> str | None:
    if not raws:
        return None
    if len(raws) > 1:
        raise InvalidInput([error("invalid", f"{name} is given more than once", name)])
    return raws[0]


def _format(raws: list[str] | None) -> str:
    raw = _one(raws, "_outputFormat")
    if raw is None:
        return NDJSON
    found = FORMATS.get(raw.strip())
    if found is None:
        raise InvalidInput([error("not-supported", f"_outputFormat {raw!r} is not supported: "
                                  f"use {', '.join(FORMATS)}", "_outputFormat")])
    return found


def _associated(raws: list[str] | None) -> bool:
    wanted = [v for raw in raws or [] for v in _split(raw)]
    for value in wanted:
        if value != COMPLETE_EXTRACT:
            raise InvalidInput([error("not-supported", f"includeAssociatedData={value} is not "
                                      f"supported: this server offers {COMPLETE_EXTRACT} (the "
                                      "offers with their whole graph)", "includeAssociatedData")])
    return bool(wanted)


def _split(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


def _types(raws: list[str] | None, type_level: str | None,
           filters: tuple[tuple[str, str], ...], complete: bool) -> tuple[str, ...]:
    named = [t for raw in raws or [] for t in _split(raw)]
    for rtype in named:
        if rtype not in REGISTRY:
            raise InvalidInput([error("not-supported", f"_type {rtype!r} is not a type this "
                                      f"server serves ({', '.join(REGISTRY)})", "_type")])
    if type_level is not None:
        if named and named != [type_level]:
            raise InvalidInput([error("invalid", f"the export of {type_level} cannot take "
                                      f"_type={','.join(named)}", "_type")])
        named = [type_level]
    if not named:
        named = list(dict.fromkeys(t for t, _ in filters)) or list(REGISTRY)
    if complete:
        if "HealthcareService" not in named:
            raise InvalidInput([error("invalid", f"includeAssociatedData={COMPLETE_EXTRACT} "
                                      "exports offers with their graph: _type must include "
                                      "HealthcareService", "_type")])
        named = [*GRAPH_TYPES, *(t for t in named if t not in GRAPH_TYPES)]
    return tuple(dict.fromkeys(named))


def _type_filter(raw: str) -> tuple[str, str]:
    rtype, mark, query = raw.partition("?")
    if not mark or rtype not in REGISTRY or not query:
        raise InvalidInput([error("invalid", f"_typeFilter {raw!r} is not a search such as "
                                  "HealthcareService?_tag=system|code", "_typeFilter")])
    pairs = parse_qsl(query, keep_blank_values=True)
    for key, _ in pairs:
        if key.split(":", 1)[0] in RESULT_PARAMS:
            raise InvalidInput([error("not-supported", f"_typeFilter {raw!r}: {key} is about "
                                      "how search results are presented; an export takes "
                                      "criteria only", "_typeFilter")])
    try:
        parse_query(rtype, pairs, strict=True)
    except InvalidInput as exc:
        raise InvalidInput([error("invalid", f"_typeFilter {raw!r}: {exc.message}",
                                  "_typeFilter")]) from None
    return rtype, query


def _since(raws: list[str] | None) -> datetime | None:
    raw = _one(raws, "_since")
    if raw is None:
        return None
    try:
        return naive_utc(raw)
    except ValueError:
        raise InvalidInput([error("invalid", f"_since={raw!r} is not a FHIR instant such as "
                                  "2026-01-31T12:00:00Z", "_since")]) from None


def pairs_of_parameters(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The kick-off parameters of a POST body (a FHIR Parameters resource)."""
    if body.get("resourceType") != "Parameters":
        raise InvalidInput([error("invalid", "POST $export takes a Parameters resource",
                                  "resourceType")])
    pairs = []
    for n, item in enumerate(body.get("parameter") or []):
        value = next((v for k, v in item.items() if k.startswith("value")), None) \
            if isinstance(item, dict) else None
        if not isinstance(value, str) or not isinstance(item.get("name"), str):
            raise InvalidInput([error("invalid", "each parameter needs a name and a string "
                                      "value (valueString, valueCode, valueInstant…)",
                                      f"Parameters.parameter[{n}]")])
        pairs.append((item["name"], value))
    return pairs
