"""Approximate outlines of the départements (``data/outlines.json.gz``), for maps drawn
without any network access.

They are derived from the commune points of the bundle by
``tools/build_departement_outlines.py`` (see ``data/README.md``): borders within about 1–2 km,
coasts drawn a few km around the outermost communes. Good for a background under markers,
never for deciding which département a point is in (``Gazetteer`` does that from codes).
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Sequence
from typing import Any

from .bundled import DATA

OUTLINES = DATA / "outlines.json.gz"
FORMAT = "openror-outlines/1"

Point = tuple[float, float]  # (lon, lat), WGS84 degrees
Ring = tuple[Point, ...]  # not repeated: the last point joins the first


@functools.cache
def _document() -> dict[str, Any]:
    doc = json.loads(gzip.decompress(OUTLINES.read_bytes()))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{OUTLINES} is not an {FORMAT} document")
    return {"departements": doc["departements"], "labels": doc.get("labels", {})}


@functools.cache
def departement_outlines() -> dict[str, tuple[Ring, ...]]:
    """Département code -> its rings of (lon, lat). Outer rings and holes are not told apart:
    fill them with the even-odd rule (``fill-rule="evenodd"`` in SVG). Collectivities with a
    single point in the bundle have no outline."""
    return {code: tuple(tuple((lon, lat) for lon, lat in ring) for ring in rings)
            for code, rings in _document()["departements"].items()}


@functools.cache
def departement_labels() -> dict[str, Point]:
    """Département code -> a (lon, lat) well inside it, where its code may be written."""
    return {code: (spot[0], spot[1]) for code, spot in _document()["labels"].items()}


def point_in_rings(rings: Sequence[Sequence[Point]], lon: float, lat: float) -> bool:
    """Whether (lon, lat) is inside the rings by the even-odd rule (a ray crossing count)."""
    inside = False
    for ring in rings:
        previous = ring[-1]
        for current in ring:
            (x1, y1), (x2, y2) = previous, current
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            previous = current
    return inside
