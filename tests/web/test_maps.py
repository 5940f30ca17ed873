"""The orientation map (web.maps), without a browser: numbered markers in rank order with
their titles, a frame that keeps distances, nothing fetched from outside unless tiles are
asked for, tiles placed where they belong, escaped texts, markers that never hide each
other."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from openror.web.map_frame import mercator, tile_of
from openror.web.maps import Marker, render_map, tiles_origin

SVG = "{http://www.w3.org/2000/svg}"
LAON = (49.5641, 3.6199)
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def offers(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-offre"]


def disc(group: ET.Element) -> tuple[float, float]:
    circle = group.find(f"{SVG}circle")
    assert circle is not None
    return float(circle.get("cx", "")), float(circle.get("cy", ""))


def patient(root: ET.Element) -> tuple[float, float]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-patient")
    polygon = group.find(f"{SVG}polygon")
    assert polygon is not None
    xs = [float(p.split(",")[0]) for p in polygon.get("points", "").split()]
    ys = [float(p.split(",")[1]) for p in polygon.get("points", "").split()]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def around_laon() -> list[Marker]:
    return [Marker(49.60, 3.70, "1", "Hôpital A — 7 km", "/offres/a"),
            Marker(49.38, 3.32, "2", "Clinique B — 30 km", "/offres/b"),
            Marker(49.85, 3.29, "3", "Centre C — 40 km", "/offres/c")]


def test_markers_appear_in_rank_order_with_their_titles_and_links() -> None:
    root = parsed(render_map(LAON, "Patient : Laon", around_laon(), radius_km=20))
    found = offers(root)
    assert [g.get("data-rang") for g in found] == ["1", "2", "3"]
    assert [g.findtext(f"{SVG}title") for g in found] == [
        "Hôpital A — 7 km", "Clinique B — 30 km", "Centre C — 40 km"]
    assert [g.text for g in found for g in g.iter(f"{SVG}text")] == ["1", "2", "3"]
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["/offres/a", "/offres/b", "/offres/c"]
    assert links[0].get("aria-label") == "Hôpital A — 7 km"
    # links inside a role=img would be hidden from screen readers
    assert root.get("role") == "group"
    assert root.findtext(f"{SVG}title") == "Carte : le patient et les 3 offres proposées"
    assert "rayon de recherche de 20 km" in (root.findtext(f"{SVG}desc") or "")


def test_without_links_the_map_is_one_image() -> None:
    markers = [Marker(49.60, 3.70, "1", "Hôpital A — 7 km")]
    root = parsed(render_map(LAON, "Patient : Laon", markers))
    assert root.get("role") == "img"
    assert not list(root.iter(f"{SVG}a"))
    assert root.findtext(f"{SVG}title") == "Carte : le patient et l’offre proposée"


def test_distances_on_screen_follow_distances_on_the_ground() -> None:
    root = parsed(render_map(LAON, "Patient", around_laon()))
    centre = patient(root)
    on_screen = [math.dist(centre, disc(g)) for g in offers(root)]
    assert on_screen[0] < on_screen[1] < on_screen[2]
    # same scale both ways (Mercator is conformal): A is north-east of Laon, B south-west
    (ax, ay), (bx, by) = disc(offers(root)[0]), disc(offers(root)[1])
    assert ax > centre[0] > bx and ay < centre[1] < by


def test_everything_is_inside_the_drawing_even_when_spread_over_france() -> None:
    markers = [Marker(43.2965, 5.3698, "1", "Marseille"), Marker(50.6292, 3.0573, "2", "Lille"),
               Marker(48.3904, -4.4861, "3", "Brest"), Marker(41.9192, 8.7386, "4", "Ajaccio")]
    root = parsed(render_map((48.8566, 2.3522), "Paris", markers, width=640, height=420))
    for x, y in [patient(root), *(disc(g) for g in offers(root))]:
        assert 0 < x < 640 and 0 < y < 420
    drawn = {p.get("data-departement") for p in root.iter(f"{SVG}path")}
    assert {"13", "59", "29", "2A", "75"} <= drawn


def test_a_close_up_shows_at_least_a_few_km_and_only_the_departements_nearby() -> None:
    root = parsed(render_map(LAON, "Patient", [Marker(49.5645, 3.6205, "1", "Tout près")]))
    scale = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-echelle")
    assert scale.findtext(f"{SVG}text") in ("1 km", "2 km")
    drawn = {p.get("data-departement") for p in root.iter(f"{SVG}path")} - {None}
    assert drawn == {"02"}


def test_offline_the_map_points_nowhere_outside_the_page() -> None:
    markup = str(render_map(LAON, "Patient", around_laon(), radius_km=20))
    assert "http" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<image" not in markup
    assert "La Poste (ODbL)" in markup  # the outlines' licence
    assert "OpenStreetMap" not in markup


def test_tiles_are_the_ones_under_the_points() -> None:
    root = parsed(render_map(LAON, "Patient", around_laon(), tiles_url=OSM))
    images = list(root.iter(f"{SVG}image"))
    assert images
    urls = [i.get("href", "") for i in images]
    zoom = int(urls[0].split("/")[3])
    assert 6 <= zoom <= 12
    x, y = tile_of(*LAON, zoom)
    wanted = f"https://tile.openstreetmap.org/{zoom}/{x}/{y}.png"
    assert wanted in urls
    # the tile holding Laon is drawn where Laon is
    tile = images[urls.index(wanted)]
    left, top = float(tile.get("x", "")), float(tile.get("y", ""))
    size = float(tile.get("width", ""))
    px, py = patient(root)
    assert left <= px <= left + size and top <= py <= top + size
    assert "© les contributeurs d’OpenStreetMap" in str(render_map(LAON, "P", [], tiles_url=OSM))
    assert "outlines" not in urls[0]
    assert root.get("class") == "carte-orientation carte-fond"


def test_tile_numbers_follow_the_slippy_map_convention() -> None:
    assert tile_of(0.0, 0.0, 1) == (1, 1)
    assert tile_of(85.0, -179.9, 3) == (0, 0)
    assert tile_of(-85.0, 179.9, 3) == (7, 7)
    # Notre-Dame de Paris at zoom 15
    assert tile_of(48.853, 2.3499, 15) == (16597, 11273)
    lat = math.radians(48.853)
    y = (1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2
    assert mercator(48.853, 2.3499)[1] == pytest.approx(y)


def test_a_tile_template_must_be_an_http_url_with_z_x_y() -> None:
    for bad in ("tile.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/{z}/{x}.png",
                "javascript:{z}{x}{y}"):
        with pytest.raises(ValueError):
            render_map(LAON, "Patient", [], tiles_url=bad)
    assert tiles_origin(OSM) == "https://tile.openstreetmap.org"


def test_titles_are_escaped() -> None:
    nasty = 'Soins <script>alert("x")</script> & "suite"'
    markup = str(render_map(LAON, nasty, [Marker(49.6, 3.7, "<1>", nasty, '/o?a=1&b="2"')]))
    assert "<script>" not in markup
    root = parsed(markup)  # well-formed XML
    assert offers(root)[0].findtext(f"{SVG}title") == nasty
    assert next(root.iter(f"{SVG}a")).get("href") == '/o?a=1&b="2"'
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-patient")
    assert group.findtext(f"{SVG}title") == nasty


def test_markers_at_the_same_spot_do_not_hide_each_other_nor_the_patient() -> None:
    same = [Marker(*LAON, str(n), f"Offre {n} — 0 km") for n in range(1, 6)]
    root = parsed(render_map(LAON, "Patient", same))
    centres = [disc(g) for g in offers(root)]
    spots = [patient(root), *centres]
    for i, a in enumerate(spots):
        for b in spots[i + 1:]:
            assert math.dist(a, b) >= 19  # two markers (radius 10) barely touch
    leaders = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-renvois")
    assert len(list(leaders.iter(f"{SVG}line"))) == 5
    # they stay around the spot, the first straight above it, the next ones clockwise
    px, py = patient(root)
    assert all(math.dist((px, py), c) < 24 for c in centres)
    assert centres[0][0] == pytest.approx(px) and centres[0][1] < py
    assert centres[1][0] > px


def test_the_search_circle_is_drawn_to_scale() -> None:
    root = parsed(render_map(LAON, "Patient", [Marker(49.60, 3.70, "1", "A")], radius_km=10))
    circle = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "carte-rayon")
    points = [tuple(map(float, p.split(","))) for p in
              circle.get("d", "").strip("MZ").split()]
    centre = patient(root)
    radii = [math.dist(centre, p) for p in points]
    scale = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "carte-echelle")
    bar = scale.find(f"{SVG}path")
    assert bar is not None
    ends = [float(v[1:].split(",")[0]) for v in bar.get("d", "").split() if v[0] in "MH"]
    km = float((scale.findtext(f"{SVG}text") or "").split()[0].replace(",", "."))
    px_per_km = (ends[1] - ends[0]) / km
    assert min(radii) / px_per_km == pytest.approx(10, rel=0.02)
    assert max(radii) / px_per_km == pytest.approx(10, rel=0.02)


def test_an_empty_result_still_shows_the_patient_and_the_search_circle() -> None:
    root = parsed(render_map(LAON, "Patient", [], radius_km=15))
    assert root.findtext(f"{SVG}title") == "Carte : le patient (aucune offre proposée)"
    assert not offers(root)
    assert any(p.get("class") == "carte-rayon" for p in root.iter(f"{SVG}path"))
    x, y = patient(root)
    assert 300 < x < 340 and 190 < y < 230  # in the middle
