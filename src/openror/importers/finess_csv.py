"""The two CSV layouts of the FINESS establishment file.

* historical data.gouv extract (``etalab-cs1100507-stock-*.csv``): no header, ``;``,
  ISO-8859-1; a first line ``finess;etalab;…``, then one ``structureet;…`` line per
  establishment (32 fields) and, after them, one ``geolocalisation;…`` line per establishment
  (6 fields: nofinesset, coordxet, coordyet, sourcecoordet, datemaj). The file is read twice:
  first the coordinates (small), then the establishments, so nothing large is held.
* headered etalab layout (42 columns, one line per establishment with its coordinates,
  ``cog`` column, ``sourcegeocod`` naming the projection). Optional columns of ours, which the
  etalab extract (open establishments only) does not have: ``datefermeture``,
  ``typefermeture`` (FINESS closing type: PRO, DEF…) and ``caducite`` (``O`` when lapsed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from openror.importers.base import Reject
from openror.importers.finess_io import text_lines
from openror.importers.finess_model import Address, LegalEntity, Point, Site

STRUCTURE = ("structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs",
             "compldistrib", "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune",
             "departement", "libdepartement", "ligneacheminement", "telephone", "telecopie",
             "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape",
             "codemft", "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj",
             "numuai")
GEOLOCATION = ("geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet",
               "datemaj")
#: columns the headered layout must have (the others are optional)
HEADERED_REQUIRED = ("nofinesset", "nofinessej", "rs", "categetab", "ligneacheminement")
#: FINESS département codes of overseas territories → INSEE département
OVERSEAS_DEPARTEMENTS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975",
                         "9F": "976"}
_OTHER_SEPARATORS = (",", "\t", "|")
#: values of the optional ``caducite`` column saying FINESS found the site lapsed
LAPSED = frozenset({"O", "OUI", "1"})

Item = LegalEntity | Site | Reject
_Geo = tuple[int, str, str, str]  # line, x, y, projection label


def is_historical(first: str) -> bool:
    return first.startswith(("finess;etalab", "structureet;", "geolocalisation;"))


def is_headered(first: str) -> bool:
    return first.split(";", 1)[0].strip().lower() == "nofinesset" and ";" in first


def is_authorisations(first: str) -> bool:
    """The header of a file of authorisations (``nofinesset;activite;…``), not of sites."""
    header = {h.strip().lower() for h in first.split(";")}
    return is_headered(first) and "activite" in header and "categetab" not in header


def separator_problem(line: str) -> str | None:
    """Why a line that should be ``;``-separated is not, or None."""
    if ";" in line:
        return None
    count, sep = max((line.count(sep), sep) for sep in _OTHER_SEPARATORS)
    if count:
        return f"fields are separated by {sep!r}; FINESS files use ';'"
    return "no ';' separator: not a FINESS line"


def read_historical(path: Path) -> Iterator[Item]:
    geo = _geolocations(path)
    with path.open("rb") as handle:
        for number, line in text_lines(handle):
            yield from _historical_line(number, line, geo)


def _geolocations(path: Path) -> dict[str, _Geo]:
    found: dict[str, _Geo] = {}
    with path.open("rb") as handle:
        for number, line in text_lines(handle):
            if line.startswith("geolocalisation;"):
                fields = line.split(";")
                if len(fields) >= 5:
                    found.setdefault(fields[1].strip(), (number, fields[2], fields[3],
                                                         fields[4]))
    return found


def _historical_line(number: int, line: str, geo: dict[str, _Geo]) -> Iterator[Item]:
    if not line.strip() or line.startswith(("finess;", "geolocalisation;")):
        if line.startswith("geolocalisation;") and len(line.split(";")) < 5:
            yield Reject(number, "geolocalisation", _count(line, len(GEOLOCATION)))
        return
    if (problem := separator_problem(line)) is not None:
        yield Reject(number, "structureet", problem)
        return
    fields = line.split(";")
    if fields[0] != "structureet":
        yield Reject(number, "section", f"unknown line type '{fields[0][:40]}'; expected "
                     "structureet or geolocalisation")
        return
    if len(fields) < len(STRUCTURE) - 1:  # numuai, the last one, came later
        yield Reject(number, "structureet", _count(line, len(STRUCTURE)))
        return
    row = dict(zip(STRUCTURE, (f.strip() for f in fields), strict=False))
    row["cog"] = commune_cog(row["departement"], row["commune"])
    row["dateouvert"] = row["dateouv"]
    point = geo.get(row["nofinesset"])
    yield from _entities(number, row, point and Point(point[1], point[2], "projected",
                                                      point[0], "coordxet/coordyet", point[3]))


def _count(line: str, expected: int) -> str:
    return f"{len(line.split(';'))} fields; expected {expected} (truncated line?)"


def commune_cog(departement: str, commune: str) -> str:
    """INSEE code from FINESS's département + 3-digit commune ("9C" + "302" → "97302")."""
    if not commune:
        return ""
    if departement in OVERSEAS_DEPARTEMENTS:
        return "97" + commune[-3:]
    return departement.zfill(2) + commune.zfill(3)


def read_headered(path: Path) -> Iterator[Item]:
    with path.open("rb") as handle:
        lines = text_lines(handle)
        header_line = next(lines, (1, ""))[1]
        header = [h.strip().lower() for h in header_line.split(";")]
        missing = [name for name in HEADERED_REQUIRED if name not in header]
        if missing:
            yield Reject(1, "header", f"missing column(s) {', '.join(missing)}")
            return
        for number, line in lines:
            if line.strip():
                yield from _headered_line(number, line, header)


def _headered_line(number: int, line: str, header: list[str]) -> Iterator[Item]:
    if (problem := separator_problem(line)) is not None:
        yield Reject(number, header[0], problem)
        return
    fields = line.split(";")
    if len(fields) != len(header):
        yield Reject(number, header[min(len(fields), len(header)) - 1],
                     f"{len(fields)} fields; expected {len(header)} (truncated line?)")
        return
    row = dict(zip(header, (f.strip() for f in fields), strict=True))
    point = None
    if row.get("coordx") or row.get("coordy"):
        point = Point(row.get("coordx", ""), row.get("coordy", ""), "projected", number,
                      "coordx/coordy", row.get("sourcegeocod", ""))
    yield from _entities(number, row, point)


def _entities(number: int, row: dict[str, str], point: Point | None) -> Iterator[Item]:
    """The implicit legal entity (known by its number only) and the site of one line."""
    yield LegalEntity(number, row["nofinessej"], implicit=True)
    yield Site(number, row["nofinesset"], row["nofinessej"], name=row["rs"],
               alias=row.get("rslongue", ""), siret=row.get("siret", ""),
               category=row["categetab"], address=_address(row),
               territory=_territory(row), phone=phone(row.get("telephone", "")),
               fax=phone(row.get("telecopie", "")), opened=row.get("dateouvert", ""),
               closed=row.get("datefermeture", ""), closing_type=row.get("typefermeture", ""),
               lapsed=row.get("caducite", "").upper() in LAPSED,
               point=point, names={"dateouv": "dateouvert"} if "dateouvert" in row else {})


def _address(row: dict[str, str]) -> Address:
    number = " ".join(v for v in (row.get("numvoie", ""), row.get("compvoie", "")) if v)
    street = " ".join(v for v in (number, row.get("typvoie", ""), row.get("voie", "")) if v)
    lines = tuple(v for v in (street, row.get("lieuditbp", ""), row.get("compldistrib", ""))
                  if v)
    parts = tuple((name, row[column]) for name, column in (
        ("houseNumber", "numvoie"), ("buildingNumberSuffix", "compvoie"),
        ("streetNameType", "typvoie"), ("streetNameBase", "voie")) if row.get(column))
    postal_code, _, city = row.get("ligneacheminement", "").partition(" ")
    if not postal_code.isdigit():
        postal_code, city = row.get("codepostal", ""), row.get("ligneacheminement", "")
    return Address(lines, postal_code, city.strip(), row.get("cog", ""),
                   parts if street else ())


def _territory(row: dict[str, str]) -> str:
    departement = row.get("departement", "")
    return OVERSEAS_DEPARTEMENTS.get(departement, departement)


def phone(value: str) -> str:
    """FINESS writes "04 74 45 46 47" or "0474454647": keep the digits (and a leading +)."""
    digits = "".join(c for c in value if c.isdigit())
    return ("+" + digits) if value.strip().startswith("+") and digits else digits
