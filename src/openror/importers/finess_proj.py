"""FINESS coordinates → WGS84 (pyproj).

FINESS geocodes establishments in the legal projection of each territory and names it at the
end of the source field (``…,BD_ADRESSE,V2.2,LAMBERT_93``). Mapping (EPSG codes of the
official French systems, all ITRF-based, so the step to WGS84 is exact to the centimetre):

===============  ==================  ==========================================
label            territory           CRS
===============  ==================  ==========================================
LAMBERT_93       metropolitan France EPSG:2154 RGF93 v1 / Lambert-93
UTM_N20          Guadeloupe (971),   EPSG:5490 RGAF09 / UTM zone 20N
                 Martinique (972)
UTM_N21          Saint-Pierre-et-M.  EPSG:4467 RGSPM06 / UTM zone 21N
UTM_N22          Guyane (973)        EPSG:2972 RGFG95 / UTM zone 22N
UTM_S40          La Réunion (974)    EPSG:2975 RGR92 / UTM zone 40S
UTM_S38          Mayotte (976)       EPSG:4471 RGM04 / UTM zone 38S
===============  ==================  ==========================================

A line without a label uses its territory's system (from the département).
"""

from __future__ import annotations

import re
from functools import cache

from pyproj import Transformer

LAMBERT_93 = "EPSG:2154"
WGS84 = "EPSG:4326"
_UTM = {"20N": "EPSG:5490", "21N": "EPSG:4467", "22N": "EPSG:2972", "40S": "EPSG:2975",
        "38S": "EPSG:4471"}
#: territory (département, "97x" overseas) → CRS, when the line does not say
_BY_TERRITORY = {"971": _UTM["20N"], "972": _UTM["20N"], "973": _UTM["22N"],
                 "974": _UTM["40S"], "975": _UTM["21N"], "976": _UTM["38S"]}
_UTM_LABEL = re.compile(r"UTM[ _-]?([NS])?[ _-]?(\d{2})[ _-]?([NS])?")
_SOUTH_ZONES = {"38", "40"}


class UnknownProjection(ValueError):
    """The source names a projection FINESS is not known to use."""


def crs_of(label: str, territory: str) -> str:
    """The CRS of a FINESS source label (its last comma-separated part), or the territory's."""
    name = label.rsplit(",", 1)[-1].strip().upper()
    if not name:
        return _BY_TERRITORY.get(territory, LAMBERT_93)
    if name in {"LAMBERT_93", "LAMBERT93", "L93", "RGF93"}:
        return LAMBERT_93
    found = _UTM_LABEL.fullmatch(name)
    if found:
        zone = found.group(2)
        hemisphere = found.group(1) or found.group(3) or ("S" if zone in _SOUTH_ZONES else "N")
        crs = _UTM.get(zone + hemisphere)
        if crs is not None:
            return crs
    raise UnknownProjection(f"unknown projection '{name}'; expected LAMBERT_93 or UTM_N20/N21/"
                            "N22/S38/S40")


def territory_crs(territory: str) -> str:
    return _BY_TERRITORY.get(territory, LAMBERT_93)


@cache
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, WGS84, always_xy=True)


@cache
def _from_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def to_wgs84(x: float, y: float, crs: str) -> tuple[float, float]:
    """(latitude, longitude) in degrees of a projected point (x easting, y northing)."""
    lon, lat = _to_wgs84(crs).transform(x, y)
    return float(lat), float(lon)


def reproject_misread(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """Undo a WGS84 position computed as if the source were Lambert 93 when it was ``crs``.

    The FHIR conversion of FINESS (flrt/finess-fhir) projected every point from Lambert 93,
    overseas ones included, which puts Cayenne at (-2.41, 0.74): going back to the raw
    coordinates and projecting them from the right system gives the real place.
    """
    x, y = _from_wgs84(LAMBERT_93).transform(lon, lat)
    return to_wgs84(float(x), float(y), crs)
