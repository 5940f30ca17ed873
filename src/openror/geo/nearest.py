"""The nearest of many fixed points (the communes' centres) to a given point, through a grid
of cells of ``CELL_DEG`` degrees: the cells around the point are read ring by ring until no
unread cell can hold a nearer point. A scan of the 35,000 centres took 50–100 ms; the grid
reads a few cells; a point more than 10° from every centre (at sea, at a pole) is compared
with them all."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from openror.geo.distance import haversine_km

T = TypeVar("T")

CELL_DEG = 0.25
#: beyond this many rings of cells (10° around the point), every point is compared
MAX_RINGS = 40
_COLUMNS = round(360 / CELL_DEG)  # longitude wraps around: cells are counted modulo this
_KM_PER_DEG = 110.0  # under a degree of latitude (110.6–111.7 km): a lower bound


class NearestPoints(Generic[T]):
    def __init__(self, points: Iterable[tuple[float, float, T]]) -> None:
        self._points = list(points)
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = {}
        for point in self._points:
            self._cells.setdefault(_cell(point[0], point[1]), []).append(point)

    def nearest(self, lat: float, lon: float) -> T | None:
        """The value of the point nearest (great-circle distance) to ``lat``, ``lon``."""
        row, col = _cell(lat, lon)
        best: tuple[float, T] | None = None
        for ring in range(MAX_RINGS):
            for cell in _ring(row, col, ring):
                best = _nearer(lat, lon, self._cells.get(cell, ()), best)
            if best is not None and best[0] <= _unread_beyond(lat, ring):
                return best[1]
        found = _nearer(lat, lon, self._points, None)  # far from every point, or a pole
        return None if found is None else found[1]


def _nearer(lat: float, lon: float, points: Iterable[tuple[float, float, T]],
            best: tuple[float, T] | None) -> tuple[float, T] | None:
    for y, x, value in points:
        km = haversine_km(lat, lon, y, x)
        if best is None or km < best[0]:
            best = (km, value)
    return best


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG) % _COLUMNS


def _ring(row: int, col: int, ring: int) -> Iterator[tuple[int, int]]:
    """The cells at Chebyshev distance ``ring`` from (row, col), longitude wrapping."""
    if ring == 0:
        yield row, col
        return
    cols = range(col - ring, col + ring + 1)
    seen: set[tuple[int, int]] = set()
    edges = [(row - ring, c) for c in cols] + [(row + ring, c) for c in cols] + \
        [(r, col - ring) for r in range(row - ring + 1, row + ring)] + \
        [(r, col + ring) for r in range(row - ring + 1, row + ring)]
    for r, c in edges:
        cell = (r, c % _COLUMNS)
        if cell not in seen:
            seen.add(cell)
            yield cell


def _unread_beyond(lat: float, ring: int) -> float:
    """A distance every point outside the rings read so far (0 … ``ring``) is beyond: at
    least ``ring`` whole cells away in latitude or in longitude, a degree of longitude
    being shortest at the highest latitude those cells reach."""
    degrees = ring * CELL_DEG
    highest = min(abs(lat) + degrees + CELL_DEG, 90.0)
    return 0.95 * degrees * _KM_PER_DEG * math.cos(math.radians(highest))
