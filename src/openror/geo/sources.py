"""Parsing the geography source files into plain records (no assembly yet).

Recognised files (plain or ``.gz``), by name:

- INSEE COG ``v_commune_*.csv`` and ``v_mvt_commune_*.csv`` (``,``, quoted, header line);
- decoupage-administratif ``communes.json``, ``departements.json``, ``regions.json``;
- La Poste ``laposte_hexasmal*.csv`` (``;``, header line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openror.errors import InvalidInput, error

from .model import KINDS, Departement, Region
from .readers import bad_line, read_csv, read_json_array

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DEPARTEMENT_CODE = re.compile(r"^(\d{2}|2[AB]|9[78]\d)$")
REGION_CODE = re.compile(r"^\d{2,3}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DECOUPAGE_KINDS = {"commune-actuelle": "COM", "commune-deleguee": "COMD",
                   "commune-associee": "COMA", "arrondissement-municipal": "ARM"}


@dataclass(frozen=True)
class CommuneEntry:
    """A commune as one source describes it."""

    code: str
    name: str
    kind: str
    departement: str  # "" when the source leaves it to the parent (COG COMD rows)
    region: str
    parent: str = ""
    postal_codes: tuple[str, ...] = ()
    former_codes: tuple[str, ...] = ()  # decoupage ``anciensCodes``


@dataclass(frozen=True)
class Movement:
    """A COG commune change: ``old_code`` became (part of) ``new_code`` on ``date``."""

    date: str
    old_code: str
    old_kind: str
    old_name: str
    new_code: str


@dataclass(frozen=True)
class PostalRow:
    """One line of the La Poste postal code base."""

    code: str
    name: str
    postal_code: str
    line5: str
    routing: str
    lat: float | None
    lon: float | None


@dataclass
class Sources:
    files: list[str] = field(default_factory=list)
    #: the commune list in force (decoupage communes.json, else the newest v_commune)
    communes: list[CommuneEntry] = field(default_factory=list)
    #: names from the other commune lists, for the former codes
    older_names: dict[str, str] = field(default_factory=dict)
    movements: list[Movement] = field(default_factory=list)
    departements: list[Departement] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    postal: list[PostalRow] = field(default_factory=list)


# --- checks -------------------------------------------------------------------------------


def _check(path: Path, line: int, name: str, value: str, pattern: re.Pattern[str],
           what: str, optional: bool = False) -> str:
    if (optional and value == "") or pattern.match(value):
        return value
    raise bad_line(path, line, name, f"{value!r} is not {what}")


def _required(path: Path, line: int, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_line(path, line, name, "missing or not a text value")
    return value.strip()


# --- INSEE COG CSV ------------------------------------------------------------------------

V_COMMUNE = ("TYPECOM", "COM", "REG", "DEP", "LIBELLE", "COMPARENT")
V_MVT = ("MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "LIBELLE_AV", "TYPECOM_AP", "COM_AP")


def parse_v_commune(path: Path) -> list[CommuneEntry]:
    out = []
    for line, row in read_csv(path, ",", V_COMMUNE):
        kind = row["TYPECOM"]
        if kind not in KINDS:
            raise bad_line(path, line, "TYPECOM", f"{kind!r} is not one of {', '.join(KINDS)}")
        parent = _check(path, line, "COMPARENT", row["COMPARENT"], INSEE_CODE, "an INSEE code",
                        optional=True)
        # COMD/COMA rows leave DEP and REG empty: they are their parent's
        out.append(CommuneEntry(
            code=_check(path, line, "COM", row["COM"], INSEE_CODE, "an INSEE commune code"),
            name=_required(path, line, "LIBELLE", row["LIBELLE"]),
            kind=kind,
            departement=_check(path, line, "DEP", row["DEP"], DEPARTEMENT_CODE,
                               "a département code", optional=bool(parent)),
            region=_check(path, line, "REG", row["REG"], REGION_CODE, "a region code",
                          optional=bool(parent)),
            parent=parent if kind != "COM" else "",
        ))
    return out


def parse_v_mvt_commune(path: Path) -> list[Movement]:
    out = []
    for line, row in read_csv(path, ",", V_MVT):
        # a creation from nothing (MOD 20) has no code before
        old = _check(path, line, "COM_AV", row["COM_AV"], INSEE_CODE, "an INSEE commune code",
                     optional=True)
        new = _check(path, line, "COM_AP", row["COM_AP"], INSEE_CODE, "an INSEE commune code")
        date = _check(path, line, "DATE_EFF", row["DATE_EFF"], DATE, "a date (YYYY-MM-DD)")
        # only changes that leave a code behind: old code -> another current commune
        if old and old != new and row["TYPECOM_AP"] in ("COM", "ARM"):
            out.append(Movement(date, old, row["TYPECOM_AV"], row["LIBELLE_AV"], new))
    return out


# --- decoupage-administratif JSON ---------------------------------------------------------


def _code_list(path: Path, line: int, name: str, value: Any, pattern: re.Pattern[str]
               ) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise bad_line(path, line, name, "expected a list of codes")
    return tuple(_check(path, line, name, str(v), pattern, "a valid code") for v in value)


def parse_communes_json(path: Path) -> list[CommuneEntry]:
    out = []
    for line, item in read_json_array(path):
        kind = DECOUPAGE_KINDS.get(item.get("type", ""))
        if kind is None:
            raise bad_line(path, line, "type", f"{item.get('type')!r} is not one of "
                           f"{', '.join(DECOUPAGE_KINDS)}")
        parent = item.get("chefLieu") or item.get("commune") or ""
        out.append(CommuneEntry(
            code=_check(path, line, "code", str(item.get("code")), INSEE_CODE,
                        "an INSEE commune code"),
            name=_required(path, line, "nom", item.get("nom")),
            kind=kind,
            departement=_check(path, line, "departement", str(item.get("departement")),
                               DEPARTEMENT_CODE, "a département code"),
            region=_check(path, line, "region", str(item.get("region")), REGION_CODE,
                          "a region code"),
            parent=_check(path, line, "chefLieu", parent, INSEE_CODE, "an INSEE code",
                          optional=True),
            postal_codes=_code_list(path, line, "codesPostaux", item.get("codesPostaux"),
                                    POSTAL_CODE),
            former_codes=_code_list(path, line, "anciensCodes", item.get("anciensCodes"),
                                    INSEE_CODE),
        ))
    return out


def parse_departements_json(path: Path) -> list[Departement]:
    return [Departement(
        code=_check(path, line, "code", str(item.get("code")), DEPARTEMENT_CODE,
                    "a département code"),
        name=_required(path, line, "nom", item.get("nom")),
        region=_check(path, line, "region", str(item.get("region")), REGION_CODE,
                      "a region code"),
        chef_lieu=_check(path, line, "chefLieu", str(item.get("chefLieu") or ""), INSEE_CODE,
                         "an INSEE code", optional=True),
    ) for line, item in read_json_array(path)]


def parse_regions_json(path: Path) -> list[Region]:
    return [Region(
        code=_check(path, line, "code", str(item.get("code")), REGION_CODE, "a region code"),
        name=_required(path, line, "nom", item.get("nom")),
        chef_lieu=_check(path, line, "chefLieu", str(item.get("chefLieu") or ""), INSEE_CODE,
                         "an INSEE code", optional=True),
    ) for line, item in read_json_array(path)]


# --- La Poste -----------------------------------------------------------------------------

LAPOSTE = ("Code_commune_INSEE", "Nom_commune", "Code_postal", "Ligne_5",
           "Libellé_d_acheminement", "coordonnees_gps")


def _coordinates(path: Path, line: int, value: str) -> tuple[float | None, float | None]:
    if not value:
        return None, None
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        raise bad_line(path, line, "coordonnees_gps", f"{value!r} is not 'latitude,longitude'"
                       ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad_line(path, line, "coordonnees_gps", f"{value!r} is out of range")
    return round(lat, 5), round(lon, 5)


def parse_laposte(path: Path) -> list[PostalRow]:
    out = []
    for line, row in read_csv(path, ";", LAPOSTE):
        lat, lon = _coordinates(path, line, row["coordonnees_gps"])
        out.append(PostalRow(
            code=_check(path, line, "Code_commune_INSEE", row["Code_commune_INSEE"],
                        INSEE_CODE, "an INSEE commune code"),
            name=_required(path, line, "Nom_commune", row["Nom_commune"]),
            postal_code=_check(path, line, "Code_postal", row["Code_postal"], POSTAL_CODE,
                               "a 5-digit postal code"),
            line5=row["Ligne_5"],
            routing=row["Libellé_d_acheminement"],
            lat=lat,
            lon=lon,
        ))
    return out


# --- files --------------------------------------------------------------------------------

#: file name pattern -> what it holds
PATTERNS: dict[str, re.Pattern[str]] = {
    "v_commune": re.compile(r"^v_commune(_\w+)?\.csv(\.gz)?$"),
    "v_mvt_commune": re.compile(r"^v_mvt_commune(_\w+)?\.csv(\.gz)?$"),
    "communes": re.compile(r"^communes\.json(\.gz)?$"),
    "departements": re.compile(r"^departements\.json(\.gz)?$"),
    "regions": re.compile(r"^regions\.json(\.gz)?$"),
    "laposte": re.compile(r"^laposte_hexasmal.*\.csv(\.gz)?$"),
}


def kind_of_file(path: Path) -> str | None:
    return next((kind for kind, rx in PATTERNS.items() if rx.match(path.name)), None)


def expand(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """(kind, file) for each file given, and each recognised file in a directory given."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            found += [(k, p) for p in sorted(path.rglob("*")) if (k := kind_of_file(p))]
            continue
        if not path.exists():
            raise FileNotFoundError(2, "no such file or directory", str(path))
        kind = kind_of_file(path)
        if kind is None:
            raise InvalidInput([error("invalid", "not a recognised geography file (expected "
                                      "v_commune_*.csv, v_mvt_commune_*.csv, communes.json, "
                                      "departements.json, regions.json or "
                                      "laposte_hexasmal*.csv, optionally .gz)", path.name)])
        found.append((kind, path))
    return found


def parse_paths(paths: Sequence[Path]) -> Sources:
    """Parse every recognised file; raise on the first bad line."""
    files = expand(paths)
    if not files:
        raise InvalidInput([error("invalid", "no geography file found in "
                                  + ", ".join(str(p) for p in paths))])
    sources = Sources(files=[p.name for _, p in files])
    lists: list[tuple[str, list[CommuneEntry]]] = []
    for kind, path in files:
        if kind in ("communes", "v_commune"):
            # decoupage (sorted first as "~") wins over any COG CSV, a newer year over older
            rank = "~" if kind == "communes" else path.name
            lists.append((rank, COMMUNE_PARSERS[kind](path)))
        else:
            _add(sources, kind, path)
    if lists:
        lists.sort(key=lambda item: item[0])
        sources.communes = lists[-1][1]
        sources.older_names = _names(entry for _, entries in lists[:-1] for entry in entries)
    return sources


COMMUNE_PARSERS: dict[str, Callable[[Path], list[CommuneEntry]]] = {
    "communes": parse_communes_json, "v_commune": parse_v_commune}


def _add(sources: Sources, kind: str, path: Path) -> None:
    if kind == "v_mvt_commune":
        sources.movements += parse_v_mvt_commune(path)
    elif kind == "departements":
        sources.departements += parse_departements_json(path)
    elif kind == "regions":
        sources.regions += parse_regions_json(path)
    elif kind == "laposte":
        sources.postal += parse_laposte(path)


def _names(entries: Iterable[CommuneEntry]) -> dict[str, str]:
    names: dict[str, str] = {}
    for e in sorted(entries, key=lambda e: e.kind != "COM"):  # a COM name over a COMD's
        names.setdefault(e.code, e.name)
    return names
