"""Where a FINESS establishment is: its commune (COG code) and whether a point is in France.

Both questions go to the geo gazetteer (``openror.geo``), behind these two functions so that
the importer depends on nothing else of it. FINESS cities are cut at 26–32 characters
("CHATEAU GONTIER SUR MAYENN") and CEDEX codes of the overseas name no département ("97004
POINTE A PITRE CEDEX"): when the gazetteer finds nothing, the one commune of the
establishment's département whose name is, or starts with, the city is taken.
"""

from __future__ import annotations

from functools import cache

from openror.geo import Gazetteer, current_gazetteer, normalise_name

_MIN_PREFIX = 8  # shorter truncated names are too ambiguous to complete


def _gazetteer() -> Gazetteer:
    return current_gazetteer()


def in_france(lat: float, lon: float) -> bool:
    return _gazetteer().in_france(lat, lon)


def commune_point(cog: str) -> tuple[float, float] | None:
    """The commune's approximate centre, for a place FINESS gives no coordinates for."""
    return _gazetteer().point(cog)


def commune_code(cog: str, postal_code: str, city: str, departement: str) -> str | None:
    """The current COG code of the commune: ``cog`` when known (following merges), else the
    commune named ``city`` under ``postal_code``, else in ``departement``; None if none."""
    gazetteer = _gazetteer()
    commune = gazetteer.current(cog) if cog else None
    if commune is None and city:
        named = gazetteer.find(postal_code or None, city)
        commune = gazetteer.current(named.code) if named is not None else None
    if commune is not None:
        return commune.code
    return _by_name(departement, _untruncated(normalise_name(city))) if city else None


def division(cog: str | None, departement: str) -> tuple[str | None, str | None]:
    """(region, département) of a commune; of ``departement`` when the commune is unknown.
    Corsica is "2A"/"2B" (region 94), overseas "971".."976" (regions "01".."06")."""
    gazetteer = _gazetteer()
    commune = gazetteer.commune(cog) if cog else None
    if commune is not None:
        return commune.region, commune.departement
    known = gazetteer.departement(departement) if departement else None
    return (known.region, known.code) if known is not None else (None, departement or None)


def _untruncated(name: str) -> str:
    """Drop a CEDEX mention cut by the field length ("VILLEFRANCHE SUR SAONE CED")."""
    words = name.split(" ")
    if len(words) > 1 and "CEDEX".startswith(words[-1]):
        return " ".join(words[:-1])
    return name


def _by_name(departement: str, name: str) -> str | None:
    names = _communes_by_name(_gazetteer()).get(departement, {})
    if name in names:
        return names[name][0] if len(names[name]) == 1 else None
    if len(name) < _MIN_PREFIX:
        return None
    matches = {code for full, codes in names.items() if full.startswith(name) for code in codes}
    return matches.pop() if len(matches) == 1 else None


@cache
def _communes_by_name(gazetteer: Gazetteer) -> dict[str, dict[str, list[str]]]:
    """Département → normalised name → codes of its current communes (per gazetteer: the
    process may switch to one with imported geography)."""
    by_dep: dict[str, dict[str, list[str]]] = {}
    for commune in gazetteer.communes():
        if commune.is_current and commune.kind == "COM":
            names = by_dep.setdefault(commune.departement, {})
            names.setdefault(normalise_name(commune.name), []).append(commune.code)
    return by_dep
