"""Lookups in the bundled gazetteer (COG 2026, La Poste 2020)."""

from __future__ import annotations

import math

import pytest

from openror.geo import Gazetteer, default_gazetteer, haversine_km, in_france, normalise_name


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return default_gazetteer()


def test_laon(g: Gazetteer) -> None:
    laon = g.commune("02408")
    assert laon is not None
    assert (laon.name, laon.kind, laon.departement, laon.region) == ("Laon", "COM", "02", "32")
    assert laon.current_code == "02408" and laon.is_current
    assert "02000" in laon.postal_codes
    assert laon.lat == pytest.approx(49.564, abs=0.05)
    assert laon.lon == pytest.approx(3.62, abs=0.05)
    dep = g.departement("02")
    assert dep is not None and (dep.name, dep.region) == ("Aisne", "32")
    region = g.region("32")
    assert region is not None and region.name == "Hauts-de-France"


def test_cayenne(g: Gazetteer) -> None:
    cayenne = g.commune("97302")
    assert cayenne is not None
    assert (cayenne.departement, cayenne.region) == ("973", "03")
    region = g.region("03")
    assert region is not None and region.name == "Guyane"


def test_corsica(g: Gazetteer) -> None:
    ajaccio = g.commune("2a004")
    assert ajaccio is not None and ajaccio.name == "Ajaccio" and ajaccio.departement == "2A"


def test_unknown_codes(g: Gazetteer) -> None:
    assert g.commune("99999") is None
    assert g.current("99999") is None
    assert g.departement("00") is None
    assert g.region("99") is None
    assert g.point("99999") is None


def test_former_code_of_a_merged_commune(g: Gazetteer) -> None:
    # Saint-Bois (01340) merged into Arboys en Bugey (01015) in 2016
    old = g.commune("01340")
    assert old is not None and old.current_code == "01015"
    current = g.current("01340")
    assert current is not None and current.code == "01015" and current.is_current


def test_former_code_only_in_the_cog_movements(g: Gazetteer) -> None:
    # Pont-Farcy (14513) changed département in 2018: now 50649
    old = g.commune("14513")
    assert old is not None and old.name == "Pont-Farcy" and not old.is_current
    current = g.current("14513")
    assert current is not None and current.departement == "50"


def test_commune_deleguee_belongs_to_its_chef_lieu(g: Gazetteer) -> None:
    moncelle = g.commune("08294")
    assert moncelle is not None and moncelle.kind == "COMD" and moncelle.parent == "08053"
    current = g.current("08294")
    assert current is not None and current.name == "Bazeilles"


def test_arrondissement_is_current_with_a_parent(g: Gazetteer) -> None:
    arm = g.commune("75115")
    assert arm is not None and arm.kind == "ARM" and arm.is_current and arm.parent == "75056"


def test_by_postal_code(g: Gazetteer) -> None:
    names = [c.name for c in g.by_postal_code("02000")]
    assert "Laon" in names and len(names) > 10
    assert names == sorted(names, key=normalise_name)  # accents do not sort last
    paris = g.by_postal_code("75015")
    assert [c.code for c in paris] == ["75056", "75115"]
    assert g.by_postal_code("2000") == g.by_postal_code("02000")
    assert g.by_postal_code("00000") == []


@pytest.mark.parametrize(("cp", "city", "code"), [
    ("02000", "LAON CEDEX", "02408"),
    ("02001", "Laon Cedex", "02408"),  # a CEDEX code: found through the département
    ("75015", "PARIS 15", "75115"),
    ("75015", "Paris 15ème", "75115"),
    ("75015", "PARIS", "75056"),
    ("75732", "PARIS CEDEX 15", "75056"),
    ("13001", "Marseille 1er arrondissement", "13201"),
    ("78990", "ELANCOURT", "78208"),
    ("78990", "élancourt", "78208"),
    ("63330", "ST HILAIRE PRES PIONSAT", "63360"),  # La Poste routing label
    ("97300", "cayenne", "97302"),
    ("97133", "Saint-Barthélemy", "97701"),
    (None, "Élancourt", "78208"),
])
def test_find(g: Gazetteer, cp: str | None, city: str, code: str) -> None:
    found = g.find(cp, city)
    assert found is not None and found.code == code


def test_find_a_commune_deleguee_name(g: Gazetteer) -> None:
    found = g.find("01300", "ARBIGNIEU")  # déléguée sharing the code of Arboys en Bugey
    assert found is not None and found.code == "01015"
    surville = g.find("50250", "Surville")
    assert surville is not None and surville.current_code == "50236"


def test_find_nothing(g: Gazetteer) -> None:
    assert g.find("02000", "NOWHERE") is None
    assert g.find(None, "Saint-Martin") is None  # many communes: ambiguous without a code
    assert g.find("00000", "LAON") is None


def test_find_without_city(g: Gazetteer) -> None:
    only = g.find("97300", "")
    assert only is not None and only.code == "97302"
    assert g.find("02000", "") is None


def test_point(g: Gazetteer) -> None:
    laon = g.commune("02408")
    assert laon is not None and g.point("02408") == (laon.lat, laon.lon)
    assert g.point("01340") is not None


def test_every_point_is_in_france(g: Gazetteer) -> None:
    outside = [c.code for c in g.communes()
               if c.lat is not None and c.lon is not None and not in_france(c.lat, c.lon)
               and c.departement != "984"]  # TAAF: no box, placed at its chef-lieu
    assert outside == []


def test_haversine_paris_lyon() -> None:
    assert haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(392, abs=2)
    assert haversine_km(45.0, 1.0, 45.0, 1.0) == 0.0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-12)


@pytest.mark.parametrize(("lat", "lon", "inside"), [
    (48.8566, 2.3522, True),  # Paris
    (4.9372, -52.326, True),  # Cayenne
    (41.9192, 8.7386, True),  # Ajaccio
    (-20.8823, 55.4504, True),  # Saint-Denis de La Réunion
    (51.5074, -0.1278, False),  # London
    (51.1279, 1.3134, False),  # Dover
    (2.3522, 48.8566, False),  # swapped coordinates
    (0.0, 0.0, False),
])
def test_in_france(g: Gazetteer, lat: float, lon: float, inside: bool) -> None:
    assert g.in_france(lat, lon) is inside
    assert in_france(lat, lon) is inside
