"""Charts drawn on the server as inline SVG markup (no JavaScript, nothing to download): a
line chart and a map of dots.

Every text is escaped here, so the markup may be put in a page as it is. Each chart has a
``<title>`` and a ``<desc>`` it is labelled by, each line and dot its own ``<title>``; pages
also give the figures as a table, for whoever cannot see the drawing. Colours are set by
presentation attributes, not ``style`` (a page's content security policy may forbid inline
styles), and lines also differ by their dashes, dots by their shape, for readers who do not
tell the colours apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0b4f8a", "#b3261e", "#1d6b34", "#7a4b00", "#6b3fa0", "#00707a", "#4a4f57",
           "#a0307a")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
FONT = 'font-family="system-ui, sans-serif" font-size="12" fill="#1b1b1f"'
LEGEND_ROW = 20


def number(value: float) -> str:
    """French digits: thin spaces between thousands, a decimal comma."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _text(value: str) -> str:
    return escape(value, quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}"


# -- axes ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Axis:
    title: str
    low: float
    high: float
    ticks: tuple[tuple[float, str], ...] = ()


def nice_step(high: float, count: int = 5) -> float:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1) dividing 0…high in about ``count``."""
    raw = max(high, 1) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(float(step), 1.0)


def value_axis(title: str, values: Sequence[float | None]) -> Axis:
    """A vertical axis from 0 to a round value above every value."""
    top = max([v for v in values if v is not None] or [0])
    step = nice_step(top)
    high = step * max(math.ceil(top / step), 1)
    count = round(high / step)
    return Axis(title, 0, high, tuple((step * i, number(step * i)) for i in range(count + 1)))


# -- line chart ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float | None], ...]  # (x, y); y None: no value (a gap)


@dataclass(frozen=True)
class Frame:
    width: int = 640
    plot_height: int = 220
    left: int = 60
    right: int = 48  # room for the last x label
    top: int = 16
    axis_band: int = 56  # x tick labels and the x axis title

    def x(self, axis: Axis, value: float) -> float:
        span = (axis.high - axis.low) or 1
        return self.left + (value - axis.low) / span * (self.width - self.left - self.right)

    def y(self, axis: Axis, value: float) -> float:
        span = (axis.high - axis.low) or 1
        return self.top + self.plot_height - (value - axis.low) / span * self.plot_height

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height


def line_chart(ident: str, title: str, description: str, series: Sequence[Series],
               x: Axis, y: Axis, *, step: bool = False, frame: Frame | None = None) -> str:
    """An SVG line chart; ``step``: a value holds until the next one (figures that are
    replaced), drawn on to the end of the x axis. ``ident`` makes the ids unique in a
    page."""
    f = frame or Frame()
    height = f.bottom + f.axis_band + LEGEND_ROW * len(series) + 8
    parts = [_open(ident, title, description, f.width, height, "courbe"),
             *_value_grid(f, y), *_x_ticks(f, x),
             *(_line(f, x, y, s, i, step) for i, s in enumerate(series)),
             *_legend_lines(f, series, f.bottom + f.axis_band), "</svg>"]
    return "\n".join(parts)


def _open(ident: str, title: str, description: str, width: float, height: float,
          css: str, role: str = "img") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" id="{_text(ident)}" '
            f'role="{role}" viewBox="0 0 {_f(width)} {_f(height)}" width="100%" '
            f'aria-labelledby="{_text(ident)}-titre {_text(ident)}-desc">\n'
            f'<title id="{_text(ident)}-titre">{_text(title)}</title>\n'
            f'<desc id="{_text(ident)}-desc">{_text(description)}</desc>')


def _value_grid(f: Frame, y: Axis) -> list[str]:
    right = f.width - f.right
    found = []
    for value, label in y.ticks:
        at = _f(f.y(y, value))
        found.append(f'<line x1="{f.left}" x2="{right}" y1="{at}" y2="{at}" '
                     f'stroke="#c9ccd1" stroke-width="1"/>')
        found.append(f'<text x="{f.left - 6}" y="{at}" text-anchor="end" '
                     f'dominant-baseline="middle" {FONT}>{_text(label)}</text>')
    middle = _f(f.top + f.plot_height / 2)
    found.append(f'<text x="14" y="{middle}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {middle})" {FONT}>{_text(y.title)}</text>')
    return found


def _x_ticks(f: Frame, x: Axis) -> list[str]:
    bottom = _f(f.bottom)
    found = [f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{bottom}" y2="{bottom}" '
             f'stroke="#1b1b1f" stroke-width="1"/>']
    for value, label in x.ticks:
        at = _f(f.x(x, value))
        found.append(f'<line x1="{at}" x2="{at}" y1="{bottom}" y2="{_f(f.bottom + 5)}" '
                     f'stroke="#1b1b1f" stroke-width="1"/>')
        found.append(f'<text x="{at}" y="{_f(f.bottom + 18)}" text-anchor="middle" '
                     f'{FONT}>{_text(label)}</text>')
    found.append(f'<text x="{_f((f.left + f.width - f.right) / 2)}" '
                 f'y="{_f(f.bottom + 42)}" text-anchor="middle" {FONT}>{_text(x.title)}</text>')
    return found


def _segments(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Runs of points with a value (a None breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for px, py in points:
        if py is None:
            runs.append([])
        else:
            runs[-1].append((px, py))
    return [run for run in runs if run]


def _path(f: Frame, x: Axis, y: Axis, run: list[tuple[float, float]], step: bool,
          until: float | None) -> str:
    coords = [(f.x(x, px), f.y(y, py)) for px, py in run]
    d = f"M {_f(coords[0][0])} {_f(coords[0][1])}"
    for cx, cy in coords[1:]:
        d += f" H {_f(cx)} V {_f(cy)}" if step else f" L {_f(cx)} {_f(cy)}"
    if until is not None:
        d += f" H {_f(f.x(x, until))}"
    return d


def _line(f: Frame, x: Axis, y: Axis, series: Series, index: int, step: bool) -> str:
    colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    runs = _segments(series.points)
    last = series.points[-1][1] if series.points else None
    paths = []
    for n, run in enumerate(runs):
        # a step line holds its last value to the end, unless the indicator went away
        until = x.high if step and n == len(runs) - 1 and last is not None else None
        paths.append(f'<path d="{_path(f, x, y, run, step, until)}" fill="none" '
                     f'stroke="{colour}" stroke-width="2"{dashes}/>')
    # a mark at each value: a change close to the end of a step chart stays visible
    marks = [f'<circle cx="{_f(f.x(x, px))}" cy="{_f(f.y(y, py))}" r="3" fill="{colour}"/>'
             for run in runs for px, py in run]
    return (f'<g class="serie" data-serie="{_text(series.label)}">'
            f'<title>{_text(series.label)}</title>{"".join(paths)}{"".join(marks)}</g>')


def _legend_lines(f: Frame, series: Sequence[Series], top: float) -> list[str]:
    found = []
    for index, s in enumerate(series):
        row = top + LEGEND_ROW * index + 10
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        found.append(f'<line x1="{f.left}" x2="{f.left + 28}" y1="{_f(row)}" y2="{_f(row)}" '
                     f'stroke="{colour}" stroke-width="2"{dashes}/>')
        found.append(f'<text x="{f.left + 36}" y="{_f(row)}" dominant-baseline="middle" '
                     f'{FONT}>{_text(s.label)}</text>')
    return found


# -- map of dots -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Marker:
    """How the dots of one kind look, and what the legend calls them."""

    label: str
    fill: str
    shape: str = "circle"  # circle, square, diamond or ring


@dataclass(frozen=True)
class Dot:
    lat: float
    lon: float
    kind: str
    title: str
    href: str | None = None
    key: str = ""  # what the dot stands for (data-lieu)


def project(positions: Sequence[tuple[float, float]], width: float, height: float,
            margin: float = 16) -> list[tuple[float, float]]:
    """Equirectangular projection of (lat, lon) positions, scaled to fit their bounding box
    in the drawing with the same scale on both axes (longitudes shrunk by the cosine of the
    middle latitude), centred."""
    if not positions:
        return []
    lats, lons = [p[0] for p in positions], [p[1] for p in positions]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * shrink, 0.02)
    span_y = max(max(lats) - min(lats), 0.02)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    pad_x = (width - 2 * margin - (max(lons) - min(lons)) * shrink * scale) / 2
    pad_y = (height - 2 * margin - (max(lats) - min(lats)) * scale) / 2
    return [(margin + pad_x + (lon - min(lons)) * shrink * scale,
             margin + pad_y + (max(lats) - lat) * scale) for lat, lon in positions]


def _marker(marker: Marker, cx: float, cy: float, inner: str = "", extra: str = "") -> str:
    r = 6.0
    if marker.shape == "square":
        return (f'<rect x="{_f(cx - r)}" y="{_f(cy - r)}" width="{_f(2 * r)}" '
                f'height="{_f(2 * r)}" fill="{marker.fill}" stroke="#fff"{extra}>{inner}</rect>')
    if marker.shape == "diamond":
        points = f"{_f(cx)},{_f(cy - r - 1)} {_f(cx + r + 1)},{_f(cy)} " \
                 f"{_f(cx)},{_f(cy + r + 1)} {_f(cx - r - 1)},{_f(cy)}"
        return f'<polygon points="{points}" fill="{marker.fill}" stroke="#fff"{extra}>' \
               f'{inner}</polygon>'
    if marker.shape == "ring":
        return (f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r - 1)}" fill="#fff" '
                f'stroke="{marker.fill}" stroke-width="3"{extra}>{inner}</circle>')
    return (f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="{marker.fill}" '
            f'stroke="#fff"{extra}>{inner}</circle>')


def dot_map(ident: str, title: str, description: str, dots: Sequence[Dot],
            markers: dict[str, Marker], width: int = 480, height: int = 400) -> str:
    """An SVG map of dots, one per position, with a legend of the markers. A dot with an
    ``href`` is a link."""
    legend_top = height + 8
    full = legend_top + LEGEND_ROW * len(markers) + 8
    parts = [_open(ident, title, description, width, full, "carte", role="group"),
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfbfc" '
             f'stroke="#8a8f98"/>']
    for dot, (cx, cy) in zip(dots, project([(d.lat, d.lon) for d in dots], width, height),
                             strict=True):
        parts.append(_dot(dot, markers[dot.kind], cx, cy))
    for index, (kind, marker) in enumerate(markers.items()):
        row = legend_top + LEGEND_ROW * index + 10
        parts.append(f'<g class="legende" data-etat="{_text(kind)}">'
                     f'{_marker(marker, 16, row)}<text x="30" y="{_f(row)}" '
                     f'dominant-baseline="middle" {FONT}>{_text(marker.label)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)


def _dot(dot: Dot, marker: Marker, cx: float, cy: float) -> str:
    inner = f"<title>{_text(dot.title)}</title>"
    data = f' class="point" data-etat="{_text(dot.kind)}" data-lieu="{_text(dot.key)}"'
    shape = _marker(marker, cx, cy, inner, data)
    if dot.href is None:
        return shape
    return f'<a href="{_text(dot.href)}" aria-label="{_text(dot.title)}">{shape}</a>'
