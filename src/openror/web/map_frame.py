"""The geometry of a server-drawn map: Web Mercator, the frame fitted to a set of points, the
slippy-map tiles that cover it, a round scale length, points at a distance.

World coordinates are Web Mercator normalised to 0…1 (x eastwards from 180° W, y southwards
from about 85° N), the convention of slippy-map tiles: at zoom z the world is 2^z tiles of
256 pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openror.geo import EARTH_RADIUS_KM

TILE_PX = 256
MAX_ZOOM = 19  # the deepest level common tile servers (OpenStreetMap's) serve
MAX_LAT = 85.0511  # Web Mercator's square world
EQUATOR_KM = 2 * math.pi * EARTH_RADIUS_KM


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in degrees → world (x, y) in 0…1."""
    phi = math.radians(max(-MAX_LAT, min(MAX_LAT, lat)))
    return (lon + 180) / 360, (1 - math.asinh(math.tan(phi)) / math.pi) / 2


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """The (x, y) of the slippy-map tile holding a point at a zoom level."""
    x, y = mercator(lat, lon)
    count = 2**zoom
    return min(int(x * count), count - 1), min(int(y * count), count - 1)


@dataclass(frozen=True)
class Frame:
    """Which part of the world a drawing of ``width`` × ``height`` pixels shows."""

    left: float  # world x at the drawing's left edge
    top: float  # world y at its top edge
    scale: float  # pixels per world unit
    width: int
    height: int
    latitude: float  # where the scale bar is true (the middle of the fitted points)

    def px(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = mercator(lat, lon)
        return self.world_px(x, y)

    def world_px(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.left) * self.scale, (y - self.top) * self.scale

    @property
    def px_per_km(self) -> float:
        return self.scale / (EQUATOR_KM * math.cos(math.radians(self.latitude)))

    def overlaps(self, box: tuple[float, float, float, float]) -> bool:
        """Whether a world box (min x, min y, max x, max y) shows in the drawing."""
        right = self.left + self.width / self.scale
        bottom = self.top + self.height / self.scale
        return box[0] <= right and box[2] >= self.left and box[1] <= bottom \
            and box[3] >= self.top


def fit(points: Sequence[tuple[float, float]], width: int, height: int, *,
        padding: float, min_km: float) -> Frame:
    """The frame showing every (lat, lon) point ``padding`` pixels inside the edges, with the
    same scale on both axes, at least ``min_km`` across, centred on the points."""
    xy = [mercator(lat, lon) for lat, lon in points]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    lats = [p[0] for p in points]
    latitude = (min(lats) + max(lats)) / 2
    least = min_km / (EQUATOR_KM * math.cos(math.radians(latitude)))
    span_x = max(max(xs) - min(xs), least)
    span_y = max(max(ys) - min(ys), least)
    scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)
    return Frame(left=(min(xs) + max(xs)) / 2 - width / 2 / scale,
                 top=(min(ys) + max(ys)) / 2 - height / 2 / scale,
                 scale=scale, width=width, height=height, latitude=latitude)


def tile_zoom(frame: Frame) -> int:
    """The tile level whose pixels are closest to the drawing's (tiles drawn 181–362 px)."""
    return max(0, min(MAX_ZOOM, round(math.log2(frame.scale / TILE_PX))))


def tiles(frame: Frame, zoom: int) -> Iterator[tuple[int, int, float, float, float]]:
    """(x, y, left px, top px, size px) of every tile of the level that the frame shows;
    x wraps around the antimeridian, rows beyond the poles are left out."""
    count = 2**zoom
    size = frame.scale / count
    first_x = math.floor(frame.left * count)
    last_x = math.floor((frame.left + frame.width / frame.scale) * count)
    first_y = max(0, math.floor(frame.top * count))
    last_y = min(count - 1, math.floor((frame.top + frame.height / frame.scale) * count))
    for ty in range(first_y, last_y + 1):
        for tx in range(first_x, last_x + 1):
            left, top = frame.world_px(tx / count, ty / count)
            yield tx % count, ty, left, top, size


def nice_km(most: float) -> float:
    """The longest round distance (1, 2 or 5 × 10ⁿ km) not above ``most`` km."""
    power = 10.0 ** math.floor(math.log10(most))
    return max(m * power for m in (1, 2, 5) if m * power <= most)


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point ``km`` away from (lat, lon) along a great circle leaving at ``bearing``
    degrees (clockwise from north)."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta)
                     + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi),
                            math.cos(delta) - math.sin(phi) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180
