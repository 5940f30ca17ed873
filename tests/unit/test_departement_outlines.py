"""The bundled outlines of the départements (geo.outlines): one for every département, close
enough to the truth that the communes fall inside their own, small enough to ship."""

from __future__ import annotations

import random

import pytest

from openror.geo import default_gazetteer
from openror.geo.outlines import (
    OUTLINES,
    departement_labels,
    departement_outlines,
    point_in_rings,
)

#: collectivities the bundle places at a single point (their chef-lieu): no outline
SINGLE_POINT = {"975", "977", "978", "984", "986", "987", "988"}


def current_communes() -> list[tuple[str, str, float, float]]:
    return [(c.code, c.departement, c.lat, c.lon) for c in default_gazetteer().communes()
            if c.is_current and c.lat is not None and c.lon is not None]


def test_every_departement_with_communes_has_an_outline() -> None:
    with_communes = {dep for _, dep, _, _ in current_communes()}
    outlines = departement_outlines()
    assert with_communes - SINGLE_POINT == set(outlines)
    assert len(outlines) == 101  # 96 metropolitan (2A, 2B), 971-974, 976
    for code, rings in outlines.items():
        assert rings, code
        assert all(len(ring) >= 3 for ring in rings), code


def test_communes_fall_inside_their_own_departement() -> None:
    outlines = departement_outlines()
    sample = random.Random(8).sample(
        [c for c in current_communes() if c[1] in outlines], 2000)
    outside = [code for code, dep, lat, lon in sample
               if not point_in_rings(outlines[dep], lon, lat)]
    # all of them were inside when built (the tool prints the share); rounding may move a
    # border by 100 m
    assert len(outside) <= 20, outside


@pytest.mark.parametrize(("commune", "inside", "not_inside"), [
    ("75056", "75", "92"),  # Paris
    ("97302", "973", "971"),  # Cayenne
    ("2A004", "2A", "2B"),  # Ajaccio
    ("13055", "13", "84"),  # Marseille
])
def test_known_towns_are_in_their_departement_only(commune: str, inside: str,
                                                    not_inside: str) -> None:
    lat, lon = default_gazetteer().point(commune) or (0.0, 0.0)
    outlines = departement_outlines()
    assert point_in_rings(outlines[inside], lon, lat)
    assert not point_in_rings(outlines[not_inside], lon, lat)


def test_each_label_is_inside_its_departement() -> None:
    outlines, labels = departement_outlines(), departement_labels()
    assert set(labels) == set(outlines)
    for code, (lon, lat) in labels.items():
        assert point_in_rings(outlines[code], lon, lat), code


def test_the_file_is_small_enough_to_ship() -> None:
    assert OUTLINES.stat().st_size < 300_000


def test_point_in_rings_follows_the_even_odd_rule() -> None:
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    hole = ((4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0))
    island = ((20.0, 0.0), (22.0, 0.0), (21.0, 2.0))
    rings = [square, hole, island]
    assert point_in_rings(rings, 1, 1)
    assert not point_in_rings(rings, 5, 5)  # in the hole
    assert point_in_rings(rings, 21, 0.5)
    assert not point_in_rings(rings, 15, 5)
    assert not point_in_rings(rings, -1, 5)
