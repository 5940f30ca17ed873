"""Where a FINESS establishment is: its commune (COG code) and whether a point is in France.

Both questions go to the geo gazetteer (``openror.geo``), behind these two functions so that
the importer depends on nothing else of it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import openror.geo
from openror.geo import bounds
from openror.geo.names import departement_of_postal_code, normalise_name
from openror.terminology import default_terminology


@cache
def _gazetteer() -> Any:
    factory = getattr(openror.geo, "default_gazetteer", None)
    return factory() if factory is not None else None


def in_france(lat: float, lon: float) -> bool:
    gazetteer = _gazetteer()
    if gazetteer is not None:
        return bool(gazetteer.in_france(lat, lon))
    return bounds.in_france(lat, lon)


def commune_code(cog: str, postal_code: str, city: str) -> str | None:
    """The current COG code of the commune: ``cog`` when known (following merges), else the
    commune named ``city`` under ``postal_code``; None when neither works."""
    gazetteer = _gazetteer()
    if gazetteer is None:
        return _fallback_code(cog, postal_code, city)
    found = gazetteer.current(cog) if cog else None
    if found is None and city:
        named = gazetteer.find(postal_code or None, city)
        found = gazetteer.current(named.code) if named is not None else None
    return str(found.code) if found is not None else None


@cache
def _communes() -> tuple[frozenset[str], dict[tuple[str, str], list[str]]]:
    codes: set[str] = set()
    by_name: dict[tuple[str, str], list[str]] = {}
    for concept in default_terminology().expand("JDV_J124"):
        codes.add(concept.code)
        dep = concept.code[:3] if concept.code.startswith("97") else concept.code[:2]
        by_name.setdefault((dep, normalise_name(concept.display)), []).append(concept.code)
    return frozenset(codes), by_name


def _fallback_code(cog: str, postal_code: str, city: str) -> str | None:
    codes, by_name = _communes()
    if cog in codes:
        return cog
    dep = departement_of_postal_code(postal_code) if postal_code else None
    found = by_name.get((dep or "", normalise_name(city)), [])
    return found[0] if len(found) == 1 else None
