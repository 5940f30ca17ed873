"""The SVG charts of the web pages (web.charts), without a browser: axes with round
values, a line per series with its gaps, an accessible title, escaped texts, and a map whose
projection keeps the shape of the region."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from openror.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)


@pytest.mark.parametrize(("high", "step"), [(0, 1), (4, 1), (9, 2), (12, 5), (47, 10),
                                            (230, 50), (1234, 500)])
def test_steps_are_round(high: float, step: float) -> None:
    assert charts.nice_step(high) == step


def test_the_value_axis_starts_at_zero_and_covers_every_value() -> None:
    axis = charts.value_axis("Lits", [3, None, 9, 7])
    assert (axis.low, axis.high) == (0, 10)
    assert [label for _, label in axis.ticks] == ["0", "2", "4", "6", "8", "10"]
    assert charts.value_axis("Lits", []).high == 1


def test_numbers_are_written_the_french_way() -> None:
    assert charts.number(12345) == "12\u202f345"
    assert charts.number(2.5) == "2,5"


def test_a_line_chart_has_one_group_per_series_and_a_title_it_is_labelled_by() -> None:
    series = [charts.Series("Soins critiques", ((0, 1), (1, 3), (2, 2))),
              charts.Series("Urgences <SMUR>", ((0, 0), (1, None), (2, 4)))]
    x = charts.Axis("Jour", 0, 2, ((0, "lun."), (1, "mar."), (2, "mer.")))
    svg = parsed(charts.line_chart("t", "Lits & places", "Deux courbes", series, x,
                                   charts.value_axis("Lits", [1, 3, 2, 0, 4])))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "t-titre t-desc"
    assert svg.find(f"{SVG}title").text == "Lits & places"  # type: ignore[union-attr]
    groups = svg.findall(f"{SVG}g")
    assert [g.get("data-serie") for g in groups] == ["Soins critiques", "Urgences <SMUR>"]
    assert len(groups[0].findall(f"{SVG}path")) == 1
    assert len(groups[1].findall(f"{SVG}path")) == 2  # the missing value breaks the line
    assert len(groups[1].findall(f"{SVG}circle")) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "mar." in texts and "Jour" in texts and "Urgences <SMUR>" in texts


def test_a_step_chart_holds_each_value_to_the_end() -> None:
    x = charts.Axis("Date", 0, 30)
    svg = parsed(charts.line_chart("h", "Historique", "Une courbe", [
        charts.Series("Lits disponibles", ((0, 2), (10, 5)))], x,
        charts.value_axis("Lits", [2, 5]), step=True))
    d = svg.find(f"{SVG}g/{SVG}path").get("d")  # type: ignore[union-attr]
    frame = charts.Frame()
    assert d is not None and " V " in d
    assert d.endswith(f"H {frame.x(x, 30):.1f}")


def test_the_projection_keeps_the_shape_and_fits_the_drawing() -> None:
    # a square of 1 degree at latitude 60: half as wide as tall once projected
    points = charts.project([(60, 0), (61, 0), (60, 1), (61, 1)], 400, 400, margin=0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert max(ys) - min(ys) == pytest.approx(400)
    ratio = math.cos(math.radians(60.5))
    assert max(xs) - min(xs) == pytest.approx(400 * ratio)
    assert min(xs) == pytest.approx((400 - 400 * ratio) / 2)  # centred
    north = points[1]
    assert north[1] < points[0][1]  # north is up
    assert charts.project([(49.0, 3.0)], 400, 400) == [(200, 200)]


def test_a_map_has_a_linked_dot_per_place_and_a_legend_per_marker() -> None:
    markers = {"some": charts.Marker("Des lits", "#1d6b34"),
               "stale": charts.Marker("Périmés", "#b35c00", "diamond")}
    dots = [charts.Dot(49.8, 3.3, "some", "Unité A — 4 lits", "/capacites/lieu/a", "a"),
            charts.Dot(49.4, 2.1, "stale", "Unité \"B\"", None, "b")]
    svg = parsed(charts.dot_map("carte", "Carte", "Deux lieux", dots, markers))
    points = [e for e in svg.iter() if e.get("class") == "point"]
    assert [(p.get("data-lieu"), p.get("data-etat")) for p in points] == \
        [("a", "some"), ("b", "stale")]
    assert points[1].tag == f"{SVG}polygon"
    links = svg.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["/capacites/lieu/a"]
    assert points[1].find(f"{SVG}title").text == 'Unité "B"'  # type: ignore[union-attr]
    assert len(svg.findall(f"{SVG}g[@class='legende']")) == 2
