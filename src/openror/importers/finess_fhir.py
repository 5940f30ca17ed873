"""FINESS as FHIR ndjson (flrt/finess-fhir): ``Organization`` lines, each followed by its
``Location`` line (``<org id>-loc``); plain ``.ndjson`` files or tarballs holding them.

The generator's Organization id is ``<FINESS EJ>-<FINESS ET>``, the FINESS ET sits under the
idNatSt system without its ``1`` prefix, the category is a ``CAT_ETAB`` coding, and every
position was projected from Lambert 93, overseas ones included (``misread`` points, repaired
in finess_records).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from openror.importers.base import Reject
from openror.importers.finess_csv import phone
from openror.importers.finess_io import decode
from openror.importers.finess_model import Address, LegalEntity, Point, Site
from openror.importers.finess_records import scope_of_finess

CATEGORY_SYSTEM = "http://finess.sante.gouv.fr/valuesets/CAT_ETAB"
PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"
_NAMES = {"nofinesset": "id", "nofinessej": "id", "rs": "name", "categetab": "type",
          "siret": "identifier", "commune": "address", "dateouv": "extension",
          "datefermeture": "extension"}

Item = LegalEntity | Site | Reject


def is_fhir_line(first: str) -> bool:
    try:
        parsed = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(parsed, dict) and "resourceType" in parsed


def read_ndjson(raw_lines: Iterable[bytes]) -> Iterator[Item]:
    pending: Site | None = None  # the site whose Location line should come next
    for number, raw in enumerate(raw_lines, start=1):
        line = decode(raw).strip()
        if not line:
            continue
        resource = _parse(number, line)
        if isinstance(resource, Reject):
            yield resource
            continue
        kind = resource.get("resourceType")
        if kind == "Location" and pending is not None:
            yield _located(pending, resource, number)
            pending = None
            continue
        if pending is not None:
            yield pending  # its Location line never came: a place without position
            pending = None
        if kind == "Organization":
            items = list(_organization(number, resource))
            last = items[-1] if items else None
            pending = last if isinstance(last, Site) else None
            yield from items[:-1] if pending is not None else items
        elif kind != "Location":
            yield Reject(number, "resourceType", f"unexpected {kind}; expected Organization "
                         "and Location lines")
    if pending is not None:
        yield pending


def _parse(number: int, line: str) -> dict[str, Any] | Reject:
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Reject(number, "json", f"not JSON: {exc}")
    if not isinstance(parsed, dict):
        return Reject(number, "json", "not a JSON object")
    return parsed


def _organization(number: int, org: dict[str, Any]) -> Iterator[Item]:
    ej, _, et = str(org.get("id", "")).partition("-")
    if not et:
        yield Reject(number, "id", f"id '{org.get('id')}' is not <FINESS EJ>-<FINESS ET>")
        return
    yield LegalEntity(number, ej, implicit=True, names={"nofinessej": "id"})
    address = _address(org)
    yield Site(number, et, ej, name=clean_name(str(org.get("name", ""))),
               siret=_identifier(org, "http://sirene.fr"), category=_category(org),
               address=address, territory=scope_of_finess(et),
               phone=_telecom(org, "phone"), fax=_telecom(org, "fax"),
               opened=_period(org, "start"), closed=_period(org, "end"), names=_NAMES)


def _located(site: Site, location: dict[str, Any], number: int) -> Site:
    position = location.get("position")
    if isinstance(position, dict) and "latitude" in position and "longitude" in position:
        site.point = Point(str(position["longitude"]), str(position["latitude"]), "misread",
                           number, "position")
    return site


def clean_name(name: str) -> str:
    """Undo the CSV quoting the generator kept (outer quotes, doubled inner quotes) and the
    doubled spaces."""
    if len(name) > 1 and name.startswith('"') and name.endswith('"'):
        name = name[1:-1].replace('""', '"')
    return " ".join(name.split())


def _identifier(org: dict[str, Any], system: str) -> str:
    for ident in _dicts(org.get("identifier")):
        if ident.get("system") == system:
            return str(ident.get("value", "")).strip()
    return ""


def _category(org: dict[str, Any]) -> str:
    for concept in _dicts(org.get("type")):
        for coding in _dicts(concept.get("coding")):
            if coding.get("system") == CATEGORY_SYSTEM:
                return str(coding.get("code", "")).strip()
    return ""


def _address(org: dict[str, Any]) -> Address:
    for address in _dicts(org.get("address")):
        lines = tuple(str(v) for v in address.get("line") or [] if v)
        return Address(lines, str(address.get("postalCode", "")), str(address.get("city", "")))
    return Address()


def _telecom(org: dict[str, Any], system: str) -> str:
    for telecom in _dicts(org.get("telecom")):
        if telecom.get("system") == system:
            return phone(str(telecom.get("value", "")))
    return ""


def _period(org: dict[str, Any], bound: str) -> str:
    """Opening ("start") or closing ("end") date of the establishment."""
    for ext in _dicts(org.get("extension")):
        if ext.get("url") == PERIOD:
            return str((ext.get("valuePeriod") or {}).get(bound, ""))
    return ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
