"""The CSV files of the open-data publication: one per resource type, one row per resource,
flattened to the columns a spreadsheet user needs (docs/admin/opendata.md lists them).

French-friendly: UTF-8 with a byte order mark (spreadsheets then read the accents right),
``;`` between fields, codes as text, several values in one field joined by `` | ``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from openror.fhir.profiles import TRE_R30_REGION

Body = dict[str, Any]
Column = tuple[str, Callable[[Body], str]]
JOIN = " | "


def _join(values: Iterable[Any]) -> str:
    return JOIN.join(str(v) for v in values if v not in (None, ""))


def _list(body: Body, key: str) -> list[Any]:
    value = body.get(key)
    return value if isinstance(value, list) else [] if value is None else [value]


def _region(body: Body) -> str:
    return _join(t.get("code") for t in (body.get("meta") or {}).get("tag") or []
                 if isinstance(t, dict) and t.get("system") == TRE_R30_REGION)


def _identifiers(body: Body) -> str:
    return _join(i.get("value") for i in _list(body, "identifier") if isinstance(i, dict))


def _codes(key: str) -> Callable[[Body], str]:
    def codes(body: Body) -> str:
        return _join(c.get("code") for concept in _list(body, key) if isinstance(concept, dict)
                     for c in concept.get("coding") or [] if isinstance(c, dict))
    return codes


def _refs(key: str) -> Callable[[Body], str]:
    def refs(body: Body) -> str:
        return _join(str(r.get("reference", "")).rsplit("/", 1)[-1]
                     for r in _list(body, key) if isinstance(r, dict))
    return refs


def _telecom(system: str) -> Callable[[Body], str]:
    def telecom(body: Body) -> str:
        return _join(t.get("value") for t in _list(body, "telecom")
                     if isinstance(t, dict) and t.get("system") == system)
    return telecom


def _address(part: str) -> Callable[[Body], str]:
    def address(body: Body) -> str:
        found: list[Any] = []
        for a in _list(body, "address"):
            if isinstance(a, dict):
                value = a.get(part)
                found += value if isinstance(value, list) else [value]
        return _join(found)
    return address


def _text(key: str) -> Callable[[Body], str]:
    return lambda body: _join(_list(body, key))


def _name(body: Body) -> str:
    return _join(f"{' '.join(n.get('given') or [])} {n.get('family', '')}".strip()
                 for n in _list(body, "name") if isinstance(n, dict))


def _position(axis: str) -> Callable[[Body], str]:
    return lambda body: str((body.get("position") or {}).get(axis, ""))


_COMMON: list[Column] = [("id", lambda b: str(b.get("id", ""))),
                         ("derniere_mise_a_jour", lambda b: str((b.get("meta") or {})
                                                                .get("lastUpdated", ""))),
                         ("region", _region), ("identifiants", _identifiers)]

COLUMNS: dict[str, list[Column]] = {
    "Organization": [*_COMMON, ("nom", _text("name")), ("types", _codes("type")),
                     ("rattachement", _refs("partOf")), ("adresse", _address("line")),
                     ("code_postal", _address("postalCode")), ("commune", _address("city")),
                     ("telephone", _telecom("phone")), ("courriel", _telecom("email"))],
    "HealthcareService": [*_COMMON, ("nom", _text("name")), ("actif", _text("active")),
                          ("organisation", _refs("providedBy")), ("lieux", _refs("location")),
                          ("champs_activite", _codes("type")),
                          ("activites_operationnelles", _codes("specialty")),
                          ("modes_prise_en_charge", _codes("characteristic")),
                          ("telephone", _telecom("phone"))],
    "Location": [*_COMMON, ("nom", _text("name")), ("statut", _text("status")),
                 ("organisation", _refs("managingOrganization")),
                 ("adresse", _address("line")), ("code_postal", _address("postalCode")),
                 ("commune", _address("city")), ("latitude", _position("latitude")),
                 ("longitude", _position("longitude"))],
    "Practitioner": [*_COMMON, ("nom", _name)],
    "PractitionerRole": [*_COMMON, ("professionnel", _refs("practitioner")),
                         ("offres", _refs("healthcareService")),
                         ("professions", _codes("code")), ("specialites", _codes("specialty"))],
}
#: any other type: what every resource has, and its name or title and status
DEFAULT: list[Column] = [*_COMMON, ("nom", lambda b: str(b.get("title") or b.get("name") or "")),
                         ("statut", _text("status"))]


def write_csv(rtype: str, ndjson_files: list[Path], target: Path) -> int:
    """The CSV of one type from its ndjson files; how many rows."""
    columns = COLUMNS.get(rtype, DEFAULT)
    rows = 0
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([name for name, _ in columns])
        for path in ndjson_files:
            with path.open("rb") as lines:
                for line in lines:
                    body = orjson.loads(line)
                    writer.writerow([get(body) for _, get in columns])
                    rows += 1
    return rows
