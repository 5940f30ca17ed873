"""Checks a FINESS entity and turns it into :class:`Record`s, or says why it cannot.

One line gives one verdict: a wrong FINESS number, SIRET or category rejects the site and its
place; a missing commune or a point outside France rejects only the place (the site itself is
sound and other places may refer to it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from openror.importers import finess_places, finess_proj, finess_reference
from openror.importers.base import Key, Record, Reject
from openror.importers.checkdigits import finess_error, siren_error, siret_error
from openror.importers.finess_model import (
    EJ_EXTENSIONS,
    ORG_EXTENSIONS,
    PLACE_EXTENSIONS,
    PLACE_OWNED,
    SITE_OWNED,
    LegalEntity,
    Point,
    Site,
    field_name,
    finess_key,
    legal_entity_resource,
    place_key,
    place_resource,
    site_resource,
)
from openror.terminology import Terminology

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: FINESS numbers of overseas establishments start with 970 and the territory's digit
_OVERSEAS = {"9701": "971", "9702": "972", "9703": "973", "9704": "974"}


def scope_of_finess(number: str) -> str:
    """Département of a FINESS number: its first two characters ("01", "2A"), or for overseas
    numbers (all "97…") "971".."974" from the fourth digit, else the first three."""
    if number.startswith(("97", "98")):
        return _OVERSEAS.get(number[:4], number[:3])
    return number[:2]


def scope_of_key(key: Key) -> str:
    return scope_of_finess(key.value)


def legal_entity_records(ej: LegalEntity) -> Iterator[Record | Reject]:
    problem = _legal_entity_problem(ej)
    if problem is not None:
        yield Reject(ej.line, field_name(ej.names, problem[0]), problem[1])
        return
    owned_extensions = frozenset() if ej.implicit else EJ_EXTENSIONS
    yield Record(ej.line, legal_entity_resource(ej), finess_key(ej.finess), owned=ej.provides,
                 owned_extensions=owned_extensions, rank=0, scope=scope_of_finess(ej.finess))


def _legal_entity_problem(ej: LegalEntity) -> tuple[str, str] | None:
    if problem := finess_error(ej.finess):
        return "nofinessej", problem
    if ej.siren and (problem := siren_error(ej.siren)):
        return "siren", problem
    if ej.created and not _DATE.fullmatch(ej.created):
        return "datecreation", f"'{ej.created}' is not a date (YYYY-MM-DD)"
    return _bad_dates(ej.opened, ej.closed)


def site_records(site: Site, terminology: Terminology) -> Iterator[Record | Reject]:
    """The site (carrying FINESS's own word as its reference row) and its place."""
    problem = _site_problem(site, terminology)
    if problem is not None:
        yield Reject(site.line, field_name(site.names, problem[0]), problem[1])
        return
    cog = _commune(site)
    yield Record(site.line, site_resource(site), finess_key(site.finess), owned=SITE_OWNED,
                 owned_extensions=ORG_EXTENSIONS, rank=1, scope=scope_of_finess(site.finess),
                 reference=finess_reference.site_row(site, cog, scope_of_finess(site.finess)))
    yield place_record(site, cog)


def _commune(site: Site) -> str | None:
    address = site.address
    return finess_places.commune_code(address.cog, address.postal_code, address.city,
                                      site.territory)


def _site_problem(site: Site, terminology: Terminology) -> tuple[str, str] | None:
    for name, number in (("nofinesset", site.finess), ("nofinessej", site.finess_ej)):
        if problem := finess_error(number):
            return name, problem
    if site.siret and (problem := siret_error(site.siret)):
        return "siret", problem
    if not site.name:
        return "rs", "the establishment has no name"
    if not site.category:
        return "categetab", "the establishment has no category"
    check = terminology.check("JDV_J55", None, site.category)
    if check.status != "ok":
        return "categetab", check.message
    return _bad_dates(site.opened, site.closed)


def _bad_dates(opened: str, closed: str) -> tuple[str, str] | None:
    for name, value in (("dateouv", opened), ("datefermeture", closed)):
        if value and not _DATE.fullmatch(value):
            return name, f"'{value}' is not a date (YYYY-MM-DD)"
    if opened and closed and closed < opened:
        return "datefermeture", f"closing date {closed} is before the opening date {opened}"
    return None


def place_record(site: Site, cog: str | None) -> Record | Reject:
    address = site.address
    if cog is None:
        what = f"'{address.cog}'" if address.cog else f"'{address.postal_code} {address.city}'"
        return Reject(site.line, field_name(site.names, "commune"),
                      f"commune {what} is unknown; give its COG code")
    if site.point is None:
        # No coordinates in FINESS: the place stands at its commune, marked approximate.
        body = place_resource(site, cog, finess_places.commune_point(cog), reliable=False)
    else:
        position_or_reject = _position(site.point, site.territory)
        if isinstance(position_or_reject, Reject):
            return position_or_reject
        body = place_resource(site, cog, position_or_reject)
    return Record(site.line, body, place_key(site.finess),
                  owned=PLACE_OWNED, owned_extensions=PLACE_EXTENSIONS, rank=0,
                  scope=scope_of_finess(site.finess))


def _position(point: Point, territory: str) -> tuple[float, float] | Reject:
    try:
        position = _convert(point, territory)
    except finess_proj.UnknownProjection as exc:
        return Reject(point.line, point.field, str(exc))
    except ValueError:
        return Reject(point.line, point.field,
                      f"('{point.x}', '{point.y}') are not numbers; check the coordinates")
    if not finess_places.in_france(*position):
        return Reject(point.line, point.field,
                      f"({point.x}, {point.y}) is outside France once converted to WGS84 "
                      f"({position[0]:.5f}, {position[1]:.5f}); check the coordinates")
    return position


def _convert(point: Point, territory: str) -> tuple[float, float]:
    x, y = float(point.x), float(point.y)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(point.x)
    if point.kind == "wgs84":
        return y, x
    if point.kind == "misread":
        if finess_places.in_france(y, x):
            return y, x
        return finess_proj.reproject_misread(y, x, finess_proj.territory_crs(territory))
    return finess_proj.to_wgs84(x, y, finess_proj.crs_of(point.source, territory))
