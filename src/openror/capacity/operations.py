"""The operations of the bed-management feed on a place's capacity records, as the ROR
documents them (``patch-capacitaire/location.md``), applied to the place's body.

* ``replace`` with a FHIRPath that selects one indicator: the record is replaced; when the
  path selects none, 404 ``not-found`` with the expression feeders test before they send an
  ``add``; when its criteria could not select any *valid* indicator, 400 ``business-rule``.
* ``add`` of a record: appended, or — when the place already holds that indicator — put in
  its place. Two feeders racing through replace → 404 → add therefore both land on one
  record, and an add sent twice changes nothing (the ROR does not say; a duplicate would be
  refused anyway, fhir.capacity_indicators).
* ``delete`` with a path: the selected records are removed (404 as for replace).

A record older than the one it replaces (``capacityUpdateDate``) is not applied: feeds are
delivered out of order, and the figure of 08:05 must not be overwritten by the one of 08:00.
The operation is reported as a warning instead. A date in the future is refused.

The body of an operation's value is either ``valueExtension`` or the ROR's shape, a part
whose own ``extension`` holds the record (R4 has no ``valueExtension`` for a parameter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from openror.errors import InvalidInput, Issue, NotFound, error, warning
from openror.fhir import capacity_indicators as ci
from openror.fhir.fhirpath_locate import PathError, Slot, locate, parse_path, root_slot
from openror.fhir.patch_params import Operation, read_operations
from openror.store.resources import naive_utc

JSON = dict[str, Any]

#: the expression of the 404 on which a feeder sends ``add`` after a failed ``replace``
MISSING_INDICATOR = f"Location.extension.where(url='{ci.URL}')"
#: how far ahead of the server's clock an update date may be (clocks drift)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Applied:
    body: JSON
    warnings: list[Issue] = field(default_factory=list)


def business(message: str, *expression: str) -> InvalidInput:
    return InvalidInput([error("business-rule", message, *expression)])


def read_feed(parameters: Any) -> list[Operation]:
    """The operations of a feed body, in the ROR's shape or standard FHIRPath Patch."""
    if isinstance(parameters, dict):
        parameters = {**parameters, "parameter": [
            _normalised(p) for p in parameters.get("parameter") or []]}
    return read_operations(parameters)


def _normalised(param: Any) -> Any:
    if not isinstance(param, dict) or not isinstance(param.get("part"), list):
        return param
    parts = [_value_part(p) for p in param["part"]]
    names = {p.get("name") for p in parts if isinstance(p, dict)}
    if _text(parts, "type") == "add" and "name" not in names:
        parts.append({"name": "name", "valueString": "extension"})
    return {**param, "part": parts}


def _value_part(part: Any) -> Any:
    if not isinstance(part, dict) or part.get("name") != "value":
        return part
    inner = part.get("part")
    if isinstance(inner, list) and len(inner) == 1 and isinstance(inner[0], dict) \
            and "name" not in inner[0] and isinstance(inner[0].get("extension"), list) \
            and len(inner[0]["extension"]) == 1:
        return {"name": "value", "valueExtension": inner[0]["extension"][0]}
    return part


def _text(parts: list[Any], name: str) -> Any:
    found = next((p for p in parts if isinstance(p, dict) and p.get("name") == name), {})
    return found.get("valueCode", found.get("valueString"))


def apply(body: JSON, operations: list[Operation], now: datetime) -> Applied:
    """Apply the feed's operations in order to ``body`` itself — a body parsed for this
    update: a copy would cost as much as the rest of the operations (``now``: naive UTC)."""
    applied = Applied(body)
    for op in operations:
        kind = op.type
        if kind == "replace":
            _replace(applied, op, now)
        elif kind == "add":
            _add(applied, op, now)
        elif kind == "delete":
            _delete(applied, op)
        else:
            raise InvalidInput([error("not-supported", f"the capacity feed takes replace, add "
                                      f"and delete operations, not '{kind}'", op.where("type"))])
    return applied


def _replace(applied: Applied, op: Operation, now: datetime) -> None:
    slots = _selected(applied.body, op)
    if len(slots) > 1:
        raise business(f"the path selects {len(slots)} capacity records: a replace updates "
                       "one indicator, give all its attributes in the path", op.where("path"))
    _put(applied, slots[0], _record(op, now), op)


def _add(applied: Applied, op: Operation, now: datetime) -> None:
    path = op.path.strip()
    if path not in ("Location", "Location.extension"):
        raise InvalidInput([error("not-supported", "the capacity feed adds a record at path "
                                  f"'Location' (name 'extension'), not at '{path}'",
                                  op.where("path"))])
    if op.text("name") != "extension":
        raise InvalidInput([error("not-supported", "the capacity feed adds an 'extension'",
                                  op.where("name"))])
    record = _record(op, now)
    key = ci.read_record(record).key
    extensions = applied.body.setdefault("extension", [])
    for i, held in enumerate(extensions):
        if isinstance(held, dict) and held.get("url") == ci.URL \
                and ci.read_record(held).key == key:
            _put(applied, Slot(applied.body, "extension", i), record, op)
            return
    extensions.append(record)


def _delete(applied: Applied, op: Operation) -> None:
    slots = _selected(applied.body, op)
    doomed = {id(s.value) for s in slots}
    applied.body["extension"] = [e for e in applied.body.get("extension", [])
                                 if id(e) not in doomed]


def _put(applied: Applied, slot: Slot, record: JSON, op: Operation) -> None:
    """Write ``record`` at ``slot`` unless the record held there is more recent."""
    held = ci.read_record(slot.value)
    new = ci.read_record(record)
    if held.updated and new.updated and _instant(held.updated) > _instant(new.updated):
        applied.warnings.append(warning(
            "business-rule", f"{op.expr}: not applied, the place holds a more recent figure "
            f"for this indicator (updated {held.updated}, this one {new.updated})",
            op.where("value")))
        return
    assert slot.index is not None
    slot.parent[slot.key][slot.index] = record


def _selected(body: JSON, op: Operation) -> list[Slot]:
    """The capacity records the path selects; 404 (feeders then add) or 400 when none."""
    steps = _steps(op)
    slots = [s for s in locate(root_slot(body), steps) if _is_record(s)]
    if slots:
        return slots
    if not locate(root_slot(_every_indicator_place()), steps):
        raise InvalidInput([error(
            "business-rule", f"{op.expr}: the criteria of the path match no valid capacity "
            "indicator: give the status, temporality, gender, closing type, supplementary "
            "bed type, crisis type and temporary assignment of one indicator "
            "(docs/api/capacity.md)", op.where("path"))])
    raise NotFound([error(
        "not-found", "no capacity record of this place matches the path: send this record "
        "with an 'add' operation", MISSING_INDICATOR)])


def _steps(op: Operation) -> Any:
    try:
        steps = parse_path(op.path)
    except PathError as exc:
        raise InvalidInput([error(exc.code, str(exc), op.where("path"))]) from exc
    if steps and steps[0].op == "child" and steps[0].arg == "Location":
        return steps[1:]
    raise InvalidInput([error("invalid", "a capacity path starts with 'Location.'",
                              op.where("path"))])


def _is_record(slot: Slot) -> bool:
    value = slot.value
    return slot.key == "extension" and slot.index is not None and isinstance(value, dict) \
        and value.get("url") == ci.URL


def _record(op: Operation, now: datetime) -> JSON:
    value, value_type = op.value("extension")
    if value_type not in (None, "Extension") or not isinstance(value, dict) \
            or value.get("url") != ci.URL:
        raise business(f"the value must be one '{ci.URL}' extension", op.where("value"))
    updated = ci.read_record(value).updated
    if isinstance(updated, str) and _instant(updated) > now + CLOCK_SKEW:
        raise business(f"capacityUpdateDate {updated} is in the future (server time "
                       f"{now.isoformat()}Z): check the clock of the feeding system",
                       ci.where("capacityUpdateDate"))
    return value


def _instant(text: str) -> datetime:
    try:
        return naive_utc(text)
    except ValueError as exc:
        raise business(f"capacityUpdateDate '{text}' is not a FHIR dateTime",
                       ci.where("capacityUpdateDate")) from exc


@cache
def _every_indicator_place() -> JSON:
    """A place holding every valid indicator, both natures: a path whose criteria select
    nothing there cannot address an indicator at all. (Only read: locate never writes.)"""
    return {"resourceType": "Location", "extension": [
        _prototype(nature, values) for nature in ("01", "02")
        for values in ci.every_indicator()]}


def _prototype(nature: str, values: dict[str, str | None]) -> JSON:
    parts = [_coded(ci.NATURE, nature)]
    parts += [_coded(name, code) for name, code in values.items() if code is not None]
    return {"url": ci.URL, "extension": parts}


def _coded(name: str, code: str) -> JSON:
    return {"url": name, "valueCodeableConcept": {"coding": [
        {"system": ci.SYSTEMS[name], "code": code}]}}
