"""``near`` reads grid cells of the position index: it finds exactly the positions within the
distance, wherever they fall in the cells of the circle's bounding box — its edges, its
corners, cell boundaries — for small and wide circles, north and south, by the antimeridian."""

from __future__ import annotations

import random

import pytest

from openror.geo.distance import haversine_km
from openror.search.model import Near
from openror.search.sql import matching
from openror.store.database import Database
from openror.store.search_tables import search_geo

CENTRES = [(47.218, -1.637), (49.5, 3.5), (-21.115, 55.536), (43.0, 0.05),  # Nantes, Aisne,
           (4.938, -52.33), (-13.28, -176.17), (50.0, 179.97)]  # Réunion, Guyane, Wallis


@pytest.fixture(scope="module")
def positions(database_url: str) -> list[tuple[str, float, float]]:
    rng = random.Random(1789)
    points = []
    for n, (lat, lon) in enumerate(CENTRES):
        for k in range(600):  # up to 6 degrees away: inside and outside every circle below
            spread = rng.choice((0.05, 0.3, 1.5, 6.0))
            points.append((f"p{n}-{k}", lat + rng.uniform(-spread, spread),
                           max(-180.0, min(180.0, lon + rng.uniform(-spread, spread)))))
    db = Database(database_url)
    with db.write() as conn:
        conn.execute(search_geo.delete())
        conn.execute(search_geo.insert(), [{"type": "Location", "id": i, "lat": la, "lon": lo}
                                           for i, la, lo in points])
    db.dispose()
    return points


@pytest.mark.parametrize("km", [0.5, 3, 15, 20, 60, 250, 700])
@pytest.mark.parametrize("centre", CENTRES, ids=[f"{la},{lo}" for la, lo in CENTRES])
def test_near_finds_exactly_the_positions_within_the_distance(
        database_url: str, positions: list[tuple[str, float, float]],
        centre: tuple[float, float], km: float) -> None:
    lat, lon = centre
    expected = {i for i, la, lo in positions if haversine_km(lat, lon, la, lo) <= km}
    db = Database(database_url)
    with db.read() as conn:
        found = {row[0] for row in conn.execute(matching("Location", Near(lat, lon, km)))}
    db.dispose()
    # across the antimeridian the circle is cut at ±180° (a known limit, as before the grid)
    wraps = abs(lon) + km / 80 > 180
    assert found == expected or (wraps and found <= expected)
