"""The JSON "structures" layout of the new FINESS open-data flow (schema-structures-v1):
``{"gcc": […], "gco": […], "pmej": [legal entity {…, "ege": [site …]} …]}``.

The ``pmej`` array is streamed item by item (a national file is large); a reject's line is the
legal entity's position in ``pmej`` (1-based), its field the JSON path. The published example
differs from the schema in details both are accepted for: ``informationsGeneralesPMEJ`` /
``…Pmej``, codes as plain strings or ``{"code", "system"}``, ``categorieentite…`` casing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from openror.importers.base import Reject
from openror.importers.finess_csv import phone
from openror.importers.finess_model import Address, LegalEntity, Point, Site

_CHUNK = 1 << 16
_EJ_PROVIDES = frozenset({"identifier", "name", "type", "address", "telecom"})

Item = LegalEntity | Site | Reject


class _Stream:
    """Just enough of an incremental JSON reader to walk one top-level object."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._pos = 0
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._handle.read(_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos:] + chunk.decode("utf-8", errors="replace")
        self._pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos].isspace():
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def take(self, expected: str) -> None:
        if self.peek() != expected:
            raise ValueError(f"expected '{expected}' at '{self._buffer[self._pos:][:20]}'")
        self._pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError:
                if not self._fill():
                    raise
                continue
            if end < len(self._buffer) or self._eof or not self._fill():
                self._pos = end
                return value


def read_structures(handle: IO[bytes]) -> Iterator[Item]:
    stream = _Stream(handle)
    try:
        yield from _top_level(stream)
    except ValueError as exc:  # JSONDecodeError included
        yield Reject(0, "json", f"not a FINESS structures document: {exc}")


def _top_level(stream: _Stream) -> Iterator[Item]:
    stream.take("{")
    while stream.peek() not in {"}", ""}:
        key = stream.value()
        stream.take(":")
        if key == "pmej":
            yield from _legal_entities(stream)
        else:
            stream.value()
        if stream.peek() == ",":
            stream.take(",")


def _legal_entities(stream: _Stream) -> Iterator[Item]:
    stream.take("[")
    number = 0
    while stream.peek() not in {"]", ""}:
        number += 1
        item = stream.value()
        if isinstance(item, dict):
            yield from legal_entity_items(number, item)
        else:
            yield Reject(number, f"pmej[{number - 1}]", "not a JSON object")
        if stream.peek() == ",":
            stream.take(",")
    stream.take("]")


def legal_entity_items(number: int, pmej: dict[str, Any]) -> Iterator[Item]:
    where = f"pmej[{number - 1}]"
    info = _dict(pmej.get("informationsGeneralesPMEJ") or pmej.get("informationsGeneralesPmej"))
    finess = _text(info.get("numFinessPm"))
    phone_number, fax = _telecoms(pmej.get("contact"))
    address, _ = _address(pmej.get("adresse"))
    names = {"nofinessej": f"{where}.numFinessPm", "siren": f"{where}.siren",
             "datecreation": f"{where}.dateCreation", "datefermeture": f"{where}.dateFermeture"}
    yield LegalEntity(number, finess, siren=_text(info.get("siren")),
                      name=_text(info.get("denominationPm")),
                      legal_status=_code(info.get("statutJuridique")), address=address,
                      phone=phone_number, fax=fax, created=_date(info.get("dateCreation")),
                      closed=_date(info.get("dateFermeture")), provides=_EJ_PROVIDES,
                      names=names)
    for index, ege in enumerate(pmej.get("ege") or []):
        if isinstance(ege, dict):
            yield _site(number, f"{where}.ege[{index}]", finess, ege)


def _site(number: int, where: str, finess_ej: str, ege: dict[str, Any]) -> Site:
    info = _dict(ege.get("informationsGeneralesEGE"))
    address, point = _address(ege.get("adresse"), number, f"{where}.adresse[0]")
    phone_number, fax = _telecoms(ege.get("contact"))
    category = ege.get("categorieEntiteGeographiqueExercice",
                       ege.get("categorieentiteGeographiqueExercice"))
    base = f"{where}.informationsGeneralesEGE."
    names = {"nofinesset": base + "numFinessEge", "nofinessej": "numFinessPm",
             "siret": base + "siret", "rs": base + "nomEgeCourt",
             "categetab": f"{where}.categorieEntiteGeographiqueExercice",
             "commune": f"{where}.adresse[0].cogCommune", "dateouv": base + "dateOuverture",
             "datefermeture": base + "dateFermeture"}
    cog = address.cog
    return Site(number, _text(info.get("numFinessEge")), finess_ej,
                name=_text(info.get("nomEgeCourt")), alias=_text(info.get("nomEgeLong")),
                siret=_text(info.get("siret") or ege.get("siret")), category=_code(category),
                address=address, territory=cog[:3] if cog.startswith("97") else cog[:2],
                phone=phone_number, fax=fax, opened=_date(info.get("dateOuverture")),
                closed=_date(info.get("dateFermeture")), point=point, names=names)


def _address(value: Any, number: int = 0, where: str = "") -> tuple[Address, Point | None]:
    first = _dict(value[0]) if isinstance(value, list) and value else {}
    street_parts = (("houseNumber", "numeroVoie"), ("buildingNumberSuffix", "complementVoie"),
                    ("streetNameType", "typeVoie"), ("streetNameBase", "libelleVoie"))
    parts = tuple((name, _text(first.get(key))) for name, key in street_parts
                  if _text(first.get(key)))
    street = " ".join(value for _, value in parts)
    lines = tuple(v for v in (street, _text(first.get("lieuDit"))) if v)
    address = Address(lines, _text(first.get("codePostal")),
                      _text(first.get("ligneAcheminement")), _text(first.get("cogCommune")),
                      parts if street else ())
    return address, _point(_dict(first.get("coordonneesGeographique")), number, where)


def _point(coords: dict[str, Any], number: int, where: str) -> Point | None:
    """FINESS's own WGS84 position when given, else the projected X/Y (Lambert 93 northing
    first in the published example: the larger one is the northing)."""
    lat, lon = _text(coords.get("directionLatitude")), _text(coords.get("directionLongitude"))
    if lat and lon:
        return Point(lon, lat, "wgs84", number, f"{where}.coordonneesGeographique")
    x, y = _text(coords.get("coordonneeX")), _text(coords.get("coordonneeY"))
    if not (x and y):
        return None
    if _number(x) > _number(y) > 0:
        x, y = y, x
    return Point(x, y, "projected", number, f"{where}.coordonneesGeographique")


def _telecoms(contacts: Any) -> tuple[str, str]:
    for contact in contacts if isinstance(contacts, list) else []:
        telecom = _dict(_dict(contact).get("telecom"))
        if telecom.get("telephone") or telecom.get("telecopie"):
            return phone(_text(telecom.get("telephone"))), phone(_text(telecom.get("telecopie")))
    return "", ""


def _code(value: Any) -> str:
    return _text(value.get("code")) if isinstance(value, dict) else _text(value)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int) else ""


def _date(value: Any) -> str:
    """FINESS dates, some written with a time ("2019-03-04 00:00:00")."""
    text = _text(value)
    return text[:10] if len(text) > 10 and text[4:5] == "-" and text[10] in " T" else text


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
