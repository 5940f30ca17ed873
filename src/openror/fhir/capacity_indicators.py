"""The closed list of capacity indicators (SPEC.md §4) and the check of a place's records.

A capacity record (``ror-location-supported-capacity``) is one *indicator*: a status
(installed, available, occupied, reserved, closed, supplementary) qualified by a temporality,
a gender, a closing type, a supplementary bed type, a crisis type and a temporary assignment.
The ANS hands its list of valid combinations to feeders privately; the list below is ours,
built from the meaning of each attribute (docs/api/capacity.md):

* only availability has forecasts (temporality 02–05) and a gender (J190, optional: absent
  means "any"); every other status is current (01);
* a closing type is given exactly for closed capacity, a supplementary bed type exactly for
  supplementary capacity, which alone may name a crisis;
* every indicator has a temporary assignment (J195) and a nature (bed or place).

A place holds each indicator (with its nature) at most once: a feeder addresses it by these
values, so two records with the same ones could not be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openror.errors import Issue, error
from openror.fhir import profiles as p
from openror.fhir.ext_rules import dicts

URL = p.EXT_SUPPORTED_CAPACITY

#: the attributes that make an indicator, in the order the ROR lists them
DIMENSIONS = ("capacityStatus", "temporalityCapacity", "genderCapacityAvailable",
              "capacityClosingType", "additionalBedType", "crisisType", "temporaryAssignement")
NATURE = "capacityType"
INSTALLED, AVAILABLE, OCCUPIED, RESERVED, CLOSED, SUPPLEMENTARY = (
    "01", "02", "03", "04", "05", "06")
CURRENT = "01"
_ASSIGNMENTS = ("01", "02", "03")
_ABSENT = (None,)

#: status -> attribute -> the values it may take (None: absent); missing attributes: absent
_ALLOWED: dict[str, dict[str, tuple[str | None, ...]]] = {
    INSTALLED: {"temporalityCapacity": (CURRENT,)},
    AVAILABLE: {"temporalityCapacity": ("01", "02", "03", "04", "05"),
                "genderCapacityAvailable": (None, "01", "02", "03", "04")},
    OCCUPIED: {"temporalityCapacity": (CURRENT,)},
    RESERVED: {"temporalityCapacity": (CURRENT,)},
    CLOSED: {"temporalityCapacity": (CURRENT,), "capacityClosingType": ("01", "02", "03")},
    SUPPLEMENTARY: {"temporalityCapacity": (CURRENT,),
                    "additionalBedType": ("01", "02", "03"), "crisisType": (None, "01", "02")},
}
STATUS_LABELS = {INSTALLED: "installed", AVAILABLE: "available", OCCUPIED: "occupied",
                 RESERVED: "reserved", CLOSED: "closed", SUPPLEMENTARY: "supplementary"}

#: attribute -> the NOS code system of its codes
SYSTEMS = {name: p.nos_url(system) for name, system in (
    ("capacityType", "TRE_R329-NatureCapacite"), ("capacityStatus", "TRE_R330-TypeStatutCapacite"),
    ("temporalityCapacity", "TRE_R331-TemporaliteCapacite"),
    ("genderCapacityAvailable", "TRE_R332-GenreCapacite"),
    ("capacityClosingType", "TRE_R333-TypeFermetureCapacite"),
    ("additionalBedType", "TRE_R334-TypeLitSupplementaire"),
    ("crisisType", "TRE_R336-TypeCrise"),
    ("temporaryAssignement", "TRE_R337-AffectationTemporaire"))}

Key = tuple[str | None, ...]  # (nature, *DIMENSIONS)


def allowed(status: str, name: str) -> tuple[str | None, ...]:
    """The values attribute ``name`` may take for an indicator of ``status``."""
    if name == "capacityStatus":
        return (status,)
    if name == "temporaryAssignement":
        return _ASSIGNMENTS
    return _ALLOWED[status].get(name, _ABSENT)


def is_valid(values: dict[str, str | None]) -> bool:
    status = values.get("capacityStatus")
    return status in _ALLOWED and all(values.get(name) in allowed(status, name)
                                      for name in DIMENSIONS)


def every_indicator() -> list[dict[str, str | None]]:
    """Every valid combination of the indicator attributes (a few hundred)."""
    found: list[dict[str, str | None]] = []
    for status in _ALLOWED:
        combinations: list[dict[str, str | None]] = [{}]
        for name in DIMENSIONS:
            combinations = [{**partial, name: value} for partial in combinations
                            for value in allowed(status, name)]
        found += combinations
    return found


@dataclass(frozen=True)
class Record:
    """One capacity record as the indicator rules see it: first coding of each attribute."""

    codes: dict[str, str | None]
    count: Any
    updated: str | None

    @property
    def key(self) -> Key:
        return (self.codes.get(NATURE), *(self.codes.get(n) for n in DIMENSIONS))

    def describe(self) -> str:
        return " / ".join(f"{n}: {self.codes.get(n) or 'null'}" for n in DIMENSIONS)


def read_record(ext: dict[str, Any]) -> Record:
    # plain loops, no generators: a capacity update reads each record of its place
    # several times (operations, profile rules, history)
    codes: dict[str, str | None] = {}
    count: Any = None
    updated = None
    parts = ext.get("extension")
    for part in parts if isinstance(parts, list) else [parts]:
        if not isinstance(part, dict):
            continue
        url = part.get("url")
        concept = part.get("valueCodeableConcept")
        if isinstance(concept, dict):
            code = _first_dict(concept.get("coding")).get("code")
            codes[str(url)] = code if isinstance(code, str) else None
        elif url == "nbCapacity":
            count = part.get("valueInteger")
        elif url == "capacityUpdateDate":
            updated = part.get("valueDateTime")
    return Record(codes, count, updated)


def _first_dict(value: Any) -> dict[str, Any]:
    """The first object of a list (or the object itself, ``ext_rules.dicts``), else {}."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                return item
    return {}


def records(resource: dict[str, Any]) -> list[tuple[int, Record]]:
    """(position in ``extension``, record) of every capacity record of a place."""
    return [(i, read_record(ext)) for i, ext in dicts(resource.get("extension"))
            if ext.get("url") == URL]


def has_records(resource: dict[str, Any]) -> bool:
    """Whether a place has a capacity record: ``records`` not empty, without reading them."""
    return any(ext.get("url") == URL for _, ext in dicts(resource.get("extension")))


def where(name: str | None = None) -> str:
    """The expression the ROR feed names an attribute with (its 400 responses)."""
    base = f"Location.extension('{URL}')"
    return f"{base}.extension('{name}')" if name else base


def record_issues(record: Record, position: str) -> list[Issue]:
    """Why a record is not a valid indicator: one issue per wrong attribute, or none."""
    status = record.codes.get("capacityStatus")
    if status is None:
        return []  # the profile's cardinality check reports a missing status
    if status not in _ALLOWED:
        return [_issue(record, position, "capacityStatus", f"'{status}' is not a capacity "
                       "status (J188: 01 to 06)")]
    found = []
    for name in DIMENSIONS[1:]:
        value, accepted = record.codes.get(name), allowed(status, name)
        if value not in accepted:
            found.append(_issue(record, position, name, _why(status, name, value, accepted)))
    if isinstance(record.count, int) and not isinstance(record.count, bool) \
            and record.count < 0:
        found.append(error("business-rule", f"{position}: nbCapacity is {record.count}; a "
                           "count of beds or places cannot be negative",
                           where("nbCapacity"), f"{position}.extension('nbCapacity')"))
    return found


def _why(status: str, name: str, value: str | None,
         accepted: tuple[str | None, ...]) -> str:
    label = STATUS_LABELS[status]
    codes = [a for a in accepted if a is not None]
    if not codes:
        return f"'{name}' is not given for {label} capacity ({status}): remove it"
    if value is None and None not in accepted:
        return f"{label} capacity ({status}) needs '{name}' ({', '.join(codes)})"
    return f"'{name}' {value} is not valid for {label} capacity ({status}): use " \
        f"{', '.join(codes)}{' or leave it out' if None in accepted else ''}"


def _issue(record: Record, position: str, name: str, why: str) -> Issue:
    return error("business-rule", f"{position}: the values are not a valid capacity "
                 f"indicator ({record.describe()}): {why}", where(name),
                 f"{position}.extension('{name}')")


def duplicate_issue(record: Record, position: str, first: str) -> Issue:
    return error("business-rule", f"{position} repeats the indicator of {first} "
                 f"({record.describe()}, capacityType {record.codes.get(NATURE)}): a place "
                 "holds each indicator once; update that record instead", where(), position)


def place_issues(resource: dict[str, Any]) -> list[Issue]:
    """Every indicator problem of a place: invalid combinations and repeated indicators."""
    found: list[Issue] = []
    seen: dict[Key, str] = {}
    for i, record in records(resource):
        position = f"Location.extension[{i}]"
        problems = record_issues(record, position)
        found += problems
        if problems or record.codes.get("capacityStatus") is None:
            continue
        if record.key in seen:
            found.append(duplicate_issue(record, position, seen[record.key]))
        else:
            seen[record.key] = position
    return found
