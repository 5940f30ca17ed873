"""The nearest commune centre through the grid (``geo.nearest``) is the one a scan of every
centre finds: across metropolitan France and overseas, at sea, near the antimeridian and
near a pole."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openror.geo import default_gazetteer, haversine_km
from openror.geo.nearest import NearestPoints

CENTRES = [(c.lat, c.lon, c.code) for c in default_gazetteer().communes()
           if c.is_current and c.lat is not None and c.lon is not None]
GRID = NearestPoints(CENTRES)


def _scanned(lat: float, lon: float) -> float:
    return min(haversine_km(lat, lon, y, x) for y, x, _ in CENTRES)


def _found(lat: float, lon: float) -> float:
    code = GRID.nearest(lat, lon)
    y, x = next((y, x) for y, x, c in CENTRES if c == code)
    return haversine_km(lat, lon, y, x)


@settings(max_examples=150, deadline=None)
@given(st.floats(41.0, 51.5), st.floats(-5.5, 10.0))
def test_metropolitan_points_find_the_nearest_centre(lat: float, lon: float) -> None:
    assert _found(lat, lon) == pytest.approx(_scanned(lat, lon))


@pytest.mark.parametrize(("lat", "lon"), [
    (4.94, -52.33),  # Cayenne
    (-21.1, 55.5),  # La Réunion
    (16.25, -61.58),  # Guadeloupe
    (-12.78, 45.23),  # Mayotte
    (46.0, -30.0),  # the middle of the Atlantic: far from every centre
    (-13.3, -176.2),  # near Wallis, by the antimeridian
    (-13.3, 179.9),  # across it
    (89.0, 0.0),  # near the North Pole
    (-17.5, -149.6),  # Tahiti
])
def test_points_far_away_or_across_the_antimeridian(lat: float, lon: float) -> None:
    assert _found(lat, lon) == pytest.approx(_scanned(lat, lon))


def test_a_centre_itself_is_found() -> None:
    for lat, lon, code in random.Random(7).sample(CENTRES, 200):
        assert _found(lat, lon) == pytest.approx(0.0, abs=1e-6), code


def test_no_points_no_answer() -> None:
    assert NearestPoints([]).nearest(48.85, 2.35) is None
