"""``openror import finess PATH…``: the FINESS establishment registry.

Each file's layout is recognised from its name and first line (historical or headered CSV,
JSON "structures", FHIR ndjson plain or in tarballs); readers yield legal entities and sites,
this source removes duplicates and hands them to the shared mapping (finess_records). What
FINESS says of each site is also kept apart, in ``finess_site`` (finess_reference).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openror.fhir.nos_systems import TRE_R203
from openror.importers import finess_csv, finess_fhir, finess_json, finess_reference
from openror.importers.base import Key, Record, Reject
from openror.importers.finess_io import first_line, is_tar, tar_members
from openror.importers.finess_model import (
    EXT_CLOSING_TYPE,
    EXT_PERIOD,
    PLACE_CLOSED,
    SYSTEM_FINESS,
    SYSTEM_PLACE,
    LegalEntity,
    Site,
    closing_type_extension,
)
from openror.importers.finess_records import (
    legal_entity_records,
    scope_of_finess,
    scope_of_key,
    site_records,
)
from openror.terminology import Terminology, default_terminology

Item = LegalEntity | Site | Reject


class FinessSource:
    name = "finess"
    provenance = "registry"

    def __init__(self, terminology: Terminology | None = None) -> None:
        self._terminology = terminology or default_terminology()

    def parse(self, paths: Sequence[Path]) -> Iterator[Record | Reject]:
        for path in paths:
            yield from self._parse_file(path)

    def _parse_file(self, path: Path) -> Iterator[Record | Reject]:
        seen: dict[str, int] = {}  # FINESS number -> line of its first (explicit) entity
        for item in read_items(path):
            if isinstance(item, Reject):
                yield item
            elif isinstance(item, LegalEntity):
                yield from self._legal_entity(item, seen)
            else:
                yield from self._site(item, seen)

    def _legal_entity(self, ej: LegalEntity, seen: dict[str, int]) -> Iterator[Record | Reject]:
        marker = "ej:" + ej.finess
        if marker in seen:
            if not ej.implicit:
                yield Reject(ej.line, "nofinessej", f"duplicate of line {seen[marker]}")
            return
        seen[marker] = ej.line
        yield from legal_entity_records(ej)

    def _site(self, site: Site, seen: dict[str, int]) -> Iterator[Record | Reject]:
        marker = "et:" + site.finess
        if marker in seen:
            yield Reject(site.line, site.names.get("nofinesset", "nofinesset"),
                         f"duplicate of line {seen[marker]}")
            return
        seen[marker] = site.line
        yield from site_records(site, self._terminology)

    def close(self, resource: dict[str, Any]) -> dict[str, Any] | None:
        kind = resource.get("resourceType")
        if kind == "Organization":
            return close_organization(resource, date.today().isoformat())
        if kind == "Location":
            return close_place(resource)
        return None

    def key_systems(self) -> frozenset[str]:
        return frozenset({SYSTEM_FINESS, SYSTEM_PLACE})

    def scope_of_key(self, key: Key) -> str:
        return scope_of_key(key)

    def keep_references(self, conn: sa.Connection, references: list[Mapping[str, Any]]
                        ) -> int:
        return finess_reference.keep(conn, references)

    def mark_vanished_references(self, conn: sa.Connection, present: set[tuple[str, Key]],
                                 scopes: list[str]) -> int:
        return finess_reference.mark_vanished(conn, present, scopes, scope_of_finess)


def read_items(path: Path) -> Iterator[Item]:
    """Legal entities, sites and rejects of one file, in its layout."""
    if not path.is_file():
        yield Reject(0, "file", f"{path} is not a readable file")
        return
    if is_tar(path):
        for _name, handle in tar_members(path):
            yield from finess_fhir.read_ndjson(handle)
        return
    first = first_line(path)
    if finess_fhir.is_fhir_line(first):
        with path.open("rb") as handle:
            yield from finess_fhir.read_ndjson(handle)
    elif first.startswith("{"):
        with path.open("rb") as handle:
            yield from finess_json.read_structures(handle)
    elif finess_csv.is_historical(first):
        yield from finess_csv.read_historical(path)
    elif finess_csv.is_authorisations(first):
        yield Reject(1, "layout", "a file of authorisations of care activities: import it "
                     "with `openror import finess-authorisations`")
    elif finess_csv.is_headered(first):
        yield from finess_csv.read_headered(path)
    else:
        yield Reject(1, "layout", _unknown_layout(first))


def _unknown_layout(first: str) -> str:
    problem = finess_csv.separator_problem(first)
    if problem and "nofinesset" in first.lower():
        return problem
    return ("unknown layout: expected a FINESS CSV (finess;etalab… or a nofinesset;… header), "
            "a JSON structures document or FHIR ndjson")


def close_organization(resource: dict[str, Any], today: str) -> dict[str, Any] | None:
    """Closed today (the start is kept) and definitively: None when already closed."""
    extensions = resource.get("extension") or []
    period = next((e.get("valuePeriod") or {} for e in extensions
                   if e.get("url") == EXT_PERIOD), {})
    if period.get("end"):
        return None
    closed = copy.deepcopy(resource)
    start = period.get("start")
    closed_period = {"start": start, "end": today} if start and start <= today else {"end": today}
    kept = [e for e in closed.get("extension") or []
            if e.get("url") not in {EXT_PERIOD, EXT_CLOSING_TYPE}]
    closed["extension"] = [*kept, {"url": EXT_PERIOD, "valuePeriod": closed_period},
                           closing_type_extension()]
    return closed


def close_place(resource: dict[str, Any]) -> dict[str, Any] | None:
    status = resource.get("operationalStatus") or {}
    if status.get("code") == PLACE_CLOSED[0]:
        return None
    closed = copy.deepcopy(resource)
    closed["operationalStatus"] = {"system": TRE_R203, "code": PLACE_CLOSED[0],
                                   "display": PLACE_CLOSED[1]}
    return closed
