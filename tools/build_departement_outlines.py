"""Regenerate ``src/openror/geo/data/outlines.json.gz``: approximate outlines of the
départements, derived from the commune points of the bundled geography.

No département geometry is shipped with the sources we have, so the outlines are rebuilt from
the La Poste commune centres of ``geo.json.gz``: per area (metropolitan France, each overseas
département), the points are projected to a metric plane (Lambert azimuthal equal-area centred
on the area); the Voronoi cell of each current commune (municipal arrondissements included) is
its approximate territory; the cells of a département are merged; the result is clipped by a
"land" shape, the union of discs around the points closed morphologically (gaps between
communes filled, a margin kept around the outermost ones) so that coasts and sparse mountains
look right; then the shared borders are simplified together (coverage simplification, so that
neighbours still meet) and the rings written in lon/lat rounded to 1e-3 degree.

Areas with one département are just their land shape. Guyane, whose 22 communes lie along the
coast and two rivers, is the convex hull of its points with a margin. The collectivities
(975, 977, 978, 984, 986, 987, 988) have a single point in the bundle (their chef-lieu) and
get no outline; Clipperton (989) has none either.

Build-time only: needs shapely 2 (``pip install -e '.[tools]'``).

Usage: ``python tools/build_departement_outlines.py``
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from openror.geo import default_gazetteer
from openror.geo.outlines import FORMAT, OUTLINES

ROOT = Path(__file__).resolve().parents[1]
DEGREE_DIGITS = 3  # 1e-3 degree: about 110 m, well under the 1 km simplification


@dataclass(frozen=True)
class Area:
    """How the land of one area is drawn around its points (km): gaps narrower than twice
    ``close`` are filled, and ``margin`` is kept around the outermost points."""

    close: float = 6.0
    margin: float = 3.0
    hull: bool = False  # the convex hull of the points instead of discs (sparse areas)


AREAS: dict[str, Area] = {
    "metropole": Area(),
    "971": Area(close=8.0, margin=3.0),
    "972": Area(),
    "973": Area(margin=12.0, hull=True),
    "974": Area(close=10.0, margin=3.0),
    "976": Area(close=5.0, margin=2.5),
}
SIMPLIFY_M = 1000.0  # coverage simplification tolerance (about the size of what goes)
MIN_PART_KM2 = 30.0  # parts smaller than this without a commune of their own are dropped


def area_of(departement: str) -> str:
    return "metropole" if len(departement) == 2 else departement


def commune_points() -> dict[str, list[tuple[str, float, float]]]:
    """(département, lon, lat) of every current commune and arrondissement, per area; a
    point given twice (a fallback shared by several communes) is kept once."""
    found: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    seen: set[tuple[float, float]] = set()
    for c in default_gazetteer().communes():
        if not c.is_current or c.lat is None or c.lon is None:
            continue
        if area_of(c.departement) not in AREAS or (c.lon, c.lat) in seen:
            continue
        seen.add((c.lon, c.lat))
        found[area_of(c.departement)].append((c.departement, c.lon, c.lat))
    return found


def projection(points: list[tuple[str, float, float]]) -> tuple[Transformer, Transformer]:
    lon0 = float(np.mean([p[1] for p in points]))
    lat0 = float(np.mean([p[2] for p in points]))
    plane = f"+proj=laea +lat_0={lat0:.3f} +lon_0={lon0:.3f} +units=m"
    return (Transformer.from_crs("EPSG:4326", plane, always_xy=True),
            Transformer.from_crs(plane, "EPSG:4326", always_xy=True))


def land(xy: np.ndarray, area: Area) -> BaseGeometry:
    """Discs around the points, closed, with the margin; holes filled (lakes aside, the land
    of an area has none at this scale)."""
    margin = area.margin * 1000
    if area.hull:
        shape = MultiPoint(xy).convex_hull.buffer(margin)
    else:
        close = area.close * 1000
        discs = shapely.union_all(shapely.buffer(shapely.points(xy), close + margin,
                                                 quad_segs=8))
        shape = discs.buffer(-close, quad_segs=8)
    return shapely.union_all([Polygon(p.exterior) for p in parts(shape)])


def parts(geometry: BaseGeometry) -> list[Polygon]:
    return list(getattr(geometry, "geoms", [geometry]))


def territories(xy: np.ndarray, deps: list[str], ground: BaseGeometry) -> dict[str, BaseGeometry]:
    """Each département's Voronoi cells merged and clipped by the land."""
    codes = sorted(set(deps))
    if len(codes) == 1:
        return {codes[0]: ground}
    frame = ground.envelope.buffer(50_000)
    cells = shapely.voronoi_polygons(MultiPoint(xy), extend_to=frame, ordered=True).geoms
    merged: dict[str, list[BaseGeometry]] = defaultdict(list)
    for cell, dep in zip(cells, deps, strict=True):
        merged[dep].append(cell)
    return {code: shapely.coverage_union_all(merged[code]).intersection(ground)
            for code in codes}


def without_strays(shape: BaseGeometry, own: np.ndarray) -> BaseGeometry:
    """Drop the small pieces that clipping cut off a cell, away from every commune."""
    kept = [p for p in parts(shape)
            if p.area >= MIN_PART_KM2 * 1e6 or shapely.contains_xy(p, own[:, 0], own[:, 1]).any()]
    return shapely.union_all(kept)


def rings(shape: BaseGeometry, back: Transformer) -> list[list[list[float]]]:
    found = []
    for polygon in parts(shape):
        for ring in [polygon.exterior, *polygon.interiors]:
            lon, lat = back.transform(*np.asarray(ring.coords).T)
            coords: list[list[float]] = []
            for x, y in zip(lon, lat, strict=True):
                point = [round(float(x), DEGREE_DIGITS), round(float(y), DEGREE_DIGITS)]
                if not coords or coords[-1] != point:
                    coords.append(point)
            if len(coords) >= 4:  # closed: the first point is repeated last
                found.append(coords[:-1])
    return found


def build_area(points: list[tuple[str, float, float]], area: Area
               ) -> tuple[dict[str, list[list[list[float]]]], dict[str, list[float]]]:
    forward, back = projection(points)
    deps = [p[0] for p in points]
    xy = np.column_stack(forward.transform([p[1] for p in points], [p[2] for p in points]))
    shapes = territories(xy, deps, land(xy, area))
    codes = sorted(shapes)
    cleaned = [without_strays(shapes[c], xy[np.array(deps) == c]) for c in codes]
    simple = shapely.coverage_simplify(np.array(cleaned, dtype=object), SIMPLIFY_M)
    outlines, labels = {}, {}
    for code, shape in zip(codes, simple, strict=True):
        outlines[code] = rings(shape, back)
        # the label sits inside the largest part, far from its edges
        biggest = max(parts(shape), key=lambda p: p.area)
        spot = polylabel(biggest, tolerance=1000)
        lon, lat = back.transform(spot.x, spot.y)
        labels[code] = [round(lon, DEGREE_DIGITS), round(lat, DEGREE_DIGITS)]
    return outlines, labels


def share_inside(outlines: dict[str, list[list[list[float]]]],
                 points: dict[str, list[tuple[str, float, float]]]) -> float:
    """The share of the commune points inside their own département's written outline (the
    rings combined by the even-odd rule, as the maps fill them)."""
    shapes = {code: functools.reduce(shapely.symmetric_difference,
                                     [Polygon(ring) for ring in rings])
              for code, rings in outlines.items()}
    inside = total = 0
    for found in points.values():
        for dep, lon, lat in found:
            total += 1
            inside += bool(shapes[dep].contains(shapely.Point(lon, lat)))
    return inside / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUTLINES)
    args = parser.parse_args()
    outlines: dict[str, list[list[list[float]]]] = {}
    labels: dict[str, list[float]] = {}
    points = commune_points()
    for name, found_points in sorted(points.items()):
        found, spots = build_area(found_points, AREAS[name])
        outlines.update(found)
        labels.update(spots)
    doc = {
        "format": FORMAT,
        "source": "approximate outlines derived from the commune points of geo.json.gz "
                  "(La Poste 2020, ODbL; COG 2026) by tools/build_departement_outlines.py",
        "departements": dict(sorted(outlines.items())),
        "labels": dict(sorted(labels.items())),
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    args.out.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    vertices = sum(len(r) for rs in outlines.values() for r in rs)
    print(f"{args.out}: {len(outlines)} départements, {vertices} vertices, "
          f"{args.out.stat().st_size} bytes; "
          f"{share_inside(outlines, points):.2%} of the commune points inside their own")


if __name__ == "__main__":
    main()
