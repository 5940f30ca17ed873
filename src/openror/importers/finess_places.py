"""Where a FINESS establishment is: its commune (COG code) and whether a point is in France.

Both questions go to the geo gazetteer (``openror.geo``), behind these two functions so that
the importer depends on nothing else of it. FINESS cities are cut at 26–32 characters
("CHATEAU GONTIER SUR MAYENN") and CEDEX codes name no commune ("97004 POINTE A PITRE
CEDEX"): when the gazetteer finds nothing, the one commune of the establishment's département
whose name is, or starts with, the city is taken.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import openror.geo
from openror.geo import bounds
from openror.geo.names import normalise_name
from openror.terminology import default_terminology

_MIN_PREFIX = 8  # shorter truncated names are too ambiguous to complete


@cache
def _gazetteer() -> Any:
    factory = getattr(openror.geo, "default_gazetteer", None)
    return factory() if factory is not None else None


def in_france(lat: float, lon: float) -> bool:
    gazetteer = _gazetteer()
    if gazetteer is not None:
        return bool(gazetteer.in_france(lat, lon))
    return bounds.in_france(lat, lon)


def commune_code(cog: str, postal_code: str, city: str, departement: str) -> str | None:
    """The current COG code of the commune: ``cog`` when known (following merges), else the
    commune named ``city`` under ``postal_code``, else in ``departement``; None if none."""
    gazetteer = _gazetteer()
    found: str | None = None
    if gazetteer is not None:
        commune = gazetteer.current(cog) if cog else None
        if commune is None and city:
            named = gazetteer.find(postal_code or None, city)
            commune = gazetteer.current(named.code) if named is not None else None
        found = str(commune.code) if commune is not None else None
    elif cog in _communes()[0]:
        found = cog
    if found is None and city:
        found = _by_name(departement, _untruncated(normalise_name(city)))
    return found


def _untruncated(name: str) -> str:
    """Drop a CEDEX mention cut by the field length ("VILLEFRANCHE SUR SAONE CED")."""
    words = name.split(" ")
    if len(words) > 1 and "CEDEX".startswith(words[-1]):
        return " ".join(words[:-1])
    return name


def _by_name(departement: str, name: str) -> str | None:
    names = _communes()[1].get(departement, {})
    if name in names:
        return names[name][0] if len(names[name]) == 1 else None
    if len(name) < _MIN_PREFIX:
        return None
    matches = {code for full, codes in names.items() if full.startswith(name) for code in codes}
    return matches.pop() if len(matches) == 1 else None


@cache
def _communes() -> tuple[frozenset[str], dict[str, dict[str, list[str]]]]:
    """Current commune codes, and département → normalised name → codes."""
    gazetteer = _gazetteer()
    if gazetteer is not None:
        rows = [(c.code, c.name, c.departement) for c in gazetteer.communes()
                if c.is_current and c.kind == "COM"]
    else:
        rows = [(c.code, c.display, c.code[:3] if c.code.startswith("97") else c.code[:2])
                for c in default_terminology().expand("JDV_J124")]
    by_dep: dict[str, dict[str, list[str]]] = {}
    for code, name, dep in rows:
        by_dep.setdefault(dep, {}).setdefault(normalise_name(name), []).append(code)
    return frozenset(code for code, _, _ in rows), by_dep
