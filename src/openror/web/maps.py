"""The orientation map: the patient's point and the numbered offers, drawn on the server as
inline SVG over the bundled outlines of the départements, so that it works with no network.

``render_map`` is pure (no database, no request). Map tiles are optional: with a ``tiles_url``
template they are drawn under the outlines, with their attribution; without one, nothing in the
SVG points outside the page. Every text is escaped here. Markers are drawn in rank order (the
keyboard's order too); one that would cover an earlier marker or the patient's point moves to
the nearest free spot around its true position, to which a thin line leads back.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from openror.geo import haversine_km
from openror.geo.outlines import departement_labels, departement_outlines

from .map_frame import Frame, destination, fit, mercator, nice_km, tile_zoom, tiles

PADDING = 28.0  # px between the outermost point and the edge
MIN_EXTENT_KM = 5.0
MARKER_R = 10.0
PATIENT_R = 9.0
THIN_PX = 2.0  # outline vertices closer than this to the previous one are skipped
WorldRing = tuple[tuple[float, float, float, float], tuple[tuple[float, float], ...]]


@dataclass(frozen=True)
class Marker:
    lat: float
    lon: float
    label: str  # written in the marker: "1", "2"…, as in the list of results
    title: str  # offer name and distance, shown on hover and read by screen readers
    href: str | None = None


def render_map(centre: tuple[float, float], centre_title: str, markers: Sequence[Marker], *,
               radius_km: float | None = None, tiles_url: str | None = None,
               width: int = 640, height: int = 420,
               ident: str | None = None) -> Markup:
    """An SVG map of the patient's point ``centre`` (lat, lon) and the ``markers``, framed on
    them (the search circle is framed too unless it is much larger than where the markers
    are). ``ident`` makes the ids of the title and description unique in a page."""
    if tiles_url:
        check_tiles_url(tiles_url)
    frame = fit(_framed(centre, markers, radius_km), width, height, padding=PADDING,
                min_km=MIN_EXTENT_KM)
    ident = ident or _ident(centre, markers)
    linked = any(m.href for m in markers)
    placed = _placements(frame, centre, markers)
    drawn = [(*frame.px(*centre), PATIENT_R), *((x, y, MARKER_R) for _, _, x, y in placed)]
    parts = [
        _open(ident, frame, markers, radius_km, linked, bool(tiles_url)),
        *(_tiles(frame, tiles_url) if tiles_url else ()),
        _outlines(frame, drawn),
        _radius(frame, centre, radius_km) if radius_km else "",
        _leaders(placed),
        _patient(frame, centre, centre_title),
        *_markers(markers, placed),
        _scale_bar(frame),
        _attribution(frame, tiles_url),
        "</svg>",
    ]
    return Markup("\n".join(p for p in parts if p))


def check_tiles_url(url: str) -> None:
    """Refuse a tile template that is not an http(s) URL with {z}, {x} and {y}."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"map tiles URL must be http(s): {url!r}")
    for part in ("{z}", "{x}", "{y}"):
        if part not in url:
            raise ValueError(f"map tiles URL has no {part}: {url!r}")


def tiles_origin(url: str) -> str:
    """The origin tiles are fetched from (for a page's Content-Security-Policy img-src)."""
    split = urlsplit(url)
    return f"{split.scheme}://{split.netloc}"


# -- framing and text ------------------------------------------------------------------------

def _framed(centre: tuple[float, float], markers: Sequence[Marker],
            radius_km: float | None) -> list[tuple[float, float]]:
    points = [centre, *((m.lat, m.lon) for m in markers)]
    farthest = max((haversine_km(*centre, m.lat, m.lon) for m in markers), default=0.0)
    if radius_km and (not markers or radius_km <= 1.5 * farthest):
        points += [destination(*centre, bearing, radius_km) for bearing in (0, 90, 180, 270)]
    return points


def _ident(centre: tuple[float, float], markers: Sequence[Marker]) -> str:
    seed = repr((centre, [(m.lat, m.lon, m.label) for m in markers]))
    return "carte-" + hashlib.sha1(seed.encode()).hexdigest()[:8]


def _km(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} m"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") + " km"


def _f(value: float) -> str:
    return f"{value:.1f}"


def _titles(markers: Sequence[Marker], radius_km: float | None, frame: Frame,
            tiled: bool) -> tuple[str, str]:
    count = len(markers)
    if count == 0:
        title = "Carte : le patient (aucune offre proposée)"
    elif count == 1:
        title = "Carte : le patient et l’offre proposée"
    else:
        title = f"Carte : le patient et les {count} offres proposées"
    desc = ["Le patient est marqué d’un losange rouge"]
    if count:
        desc.append("les offres de cercles bleus numérotés comme dans la liste des résultats")
    if radius_km:
        desc.append(f"le cercle en tirets montre le rayon de recherche de {_km(radius_km)}")
    desc.append(f"échelle : {_km(nice_km(frame.width / 4 / frame.px_per_km))}")
    tail = "Contours des départements approximatifs."
    if tiled:
        tail = "Fond de carte en ligne ; contours des départements approximatifs."
    return title, "; ".join(desc) + ". " + tail


def _open(ident: str, frame: Frame, markers: Sequence[Marker],
          radius_km: float | None, linked: bool, tiled: bool) -> str:
    title, desc = _titles(markers, radius_km, frame, tiled)
    # role img makes its content one picture for screen readers; links need a group
    role = "group" if linked else "img"
    css = "carte-orientation carte-fond" if tiled else "carte-orientation"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" id="{escape(ident)}" '
            f'role="{role}" viewBox="0 0 {frame.width} {frame.height}" width="100%" '
            f'aria-labelledby="{escape(ident)}-titre {escape(ident)}-desc">\n'
            f'<title id="{escape(ident)}-titre">{escape(title)}</title>\n'
            f'<desc id="{escape(ident)}-desc">{escape(desc)}</desc>\n'
            f'<rect class="carte-hors" x="0" y="0" width="{frame.width}" '
            f'height="{frame.height}"/>')


# -- background ------------------------------------------------------------------------------

def _tiles(frame: Frame, template: str) -> list[str]:
    zoom = tile_zoom(frame)
    found = ['<g class="carte-tuiles" aria-hidden="true">']
    for x, y, left, top, size in tiles(frame, zoom):
        url = (template.replace("{z}", str(zoom)).replace("{x}", str(x))
               .replace("{y}", str(y)).replace("{s}", "abc"[(x + y) % 3]))
        # a hair larger than the tile: no seams between neighbours
        found.append(f'<image href="{escape(url)}" x="{_f(left)}" y="{_f(top)}" '
                     f'width="{size + 0.5:.1f}" height="{size + 0.5:.1f}" '
                     f'preserveAspectRatio="none"/>')
    found.append("</g>")
    return found


@functools.cache
def _world_outlines() -> dict[str, tuple[WorldRing, ...]]:
    """The outlines in world coordinates with each ring's box, computed once."""
    found = {}
    for code, rings in departement_outlines().items():
        world = []
        for ring in rings:
            points = tuple(mercator(lat, lon) for lon, lat in ring)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            world.append(((min(xs), min(ys), max(xs), max(ys)), points))
        found[code] = tuple(world)
    return found


def _ring_path(frame: Frame, points: Sequence[tuple[float, float]]) -> str:
    kept: list[tuple[float, float]] = []
    for x, y in points:
        sx, sy = frame.world_px(x, y)
        if not kept or abs(sx - kept[-1][0]) + abs(sy - kept[-1][1]) >= THIN_PX:
            kept.append((sx, sy))
    if len(kept) < 3:
        return ""
    return "M" + " ".join(f"{_f(x)},{_f(y)}" for x, y in kept) + "Z"


def _outlines(frame: Frame, drawn: Sequence[tuple[float, float, float]]) -> str:
    """The départements in the frame, and the codes of those drawn large enough, where no
    marker (x, y, radius) of ``drawn`` hides them."""
    paths, labels = [], []
    spots = departement_labels()
    for code, rings in _world_outlines().items():
        shown = [r for r in rings if frame.overlaps(r[0])]
        d = "".join(_ring_path(frame, points) for _, points in shown)
        if not d:
            continue
        paths.append(f'<path d="{d}" data-departement="{escape(code)}"/>')
        if code in spots and _wide(frame, shown):
            x, y = frame.px(spots[code][1], spots[code][0])
            if 12 <= x <= frame.width - 12 and 12 <= y <= frame.height - 12 \
                    and _free((x, y), drawn, 8):
                labels.append(f'<text x="{_f(x)}" y="{_f(y)}">{escape(code)}</text>')
    return (f'<g class="carte-departements" fill-rule="evenodd" aria-hidden="true">'
            f'{"".join(paths)}</g>\n'
            f'<g class="carte-codes" text-anchor="middle" aria-hidden="true">'
            f'{"".join(labels)}</g>')


def _wide(frame: Frame, rings: Sequence[WorldRing]) -> bool:
    """Whether a département is drawn large enough to carry its code."""
    return max(r[0][2] - r[0][0] for r in rings) * frame.scale >= 28


# -- what the map is about -------------------------------------------------------------------

def _radius(frame: Frame, centre: tuple[float, float], radius_km: float) -> str:
    points = [frame.px(*destination(*centre, bearing, radius_km))
              for bearing in range(0, 360, 4)]
    d = "M" + " ".join(f"{_f(x)},{_f(y)}" for x, y in points) + "Z"
    return (f'<path class="carte-rayon" d="{d}"><title>Rayon de recherche : '
            f'{escape(_km(radius_km))}</title></path>')


def _patient(frame: Frame, centre: tuple[float, float], title: str) -> str:
    x, y = frame.px(*centre)
    r = PATIENT_R
    diamond = f"{_f(x)},{_f(y - r)} {_f(x + r)},{_f(y)} {_f(x)},{_f(y + r)} {_f(x - r)},{_f(y)}"
    cross = (f"M{_f(x - r / 2)},{_f(y)} H{_f(x + r / 2)} "
             f"M{_f(x)},{_f(y - r / 2)} V{_f(y + r / 2)}")
    return (f'<g class="carte-patient"><title>{escape(title)}</title>'
            f'<polygon points="{diamond}"/><path d="{cross}"/></g>')


def _placements(frame: Frame, centre: tuple[float, float], markers: Sequence[Marker]
                ) -> list[tuple[float, float, float, float]]:
    """(true x, true y, drawn x, drawn y) of each marker: at its place, or, when that would
    cover the patient or an earlier marker, at the nearest free spot on rings around it."""
    taken = [(*frame.px(*centre), PATIENT_R)]
    found = []
    for marker in markers:
        x, y = frame.px(marker.lat, marker.lon)
        spot = next(s for s in _candidates(frame, x, y) if _free(s, taken))
        taken.append((*spot, MARKER_R))
        found.append((x, y, *spot))
    return found


def _candidates(frame: Frame, x: float, y: float) -> list[tuple[float, float]]:
    step = 2 * MARKER_R + 3
    found = [(x, y)]
    for ring in range(1, 8):
        distance = ring * step
        count = max(6, int(2 * math.pi * distance / step))
        for k in range(count):
            angle = -math.pi / 2 + 2 * math.pi * k / count  # clockwise from straight up
            cx, cy = x + distance * math.cos(angle), y + distance * math.sin(angle)
            if MARKER_R <= cx <= frame.width - MARKER_R \
                    and MARKER_R <= cy <= frame.height - MARKER_R:
                found.append((cx, cy))
    found.append((x, y))  # nowhere free: overlap, in rank order
    return found


def _free(spot: tuple[float, float], taken: Sequence[tuple[float, float, float]],
          size: float = MARKER_R) -> bool:
    return all(math.hypot(spot[0] - tx, spot[1] - ty) >= size + tr + 1
               for tx, ty, tr in taken)


def _leaders(placed: Sequence[tuple[float, float, float, float]]) -> str:
    """A line from each moved marker back to a dot at its true place (under the patient's
    point and the markers)."""
    lines = [f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(dx)}" y2="{_f(dy)}"/>'
             f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2.5"/>'
             for x, y, dx, dy in placed if (x, y) != (dx, dy)]
    return f'<g class="carte-renvois" aria-hidden="true">{"".join(lines)}</g>' if lines else ""


def _markers(markers: Sequence[Marker], placed: Sequence[tuple[float, float, float, float]]
             ) -> list[str]:
    found = []
    for marker, (_, _, dx, dy) in zip(markers, placed, strict=True):
        shape = (f'<g class="carte-offre" data-rang="{escape(marker.label)}">'
                 f'<title>{escape(marker.title)}</title>'
                 f'<circle cx="{_f(dx)}" cy="{_f(dy)}" r="{MARKER_R:.0f}"/>'
                 f'<text x="{_f(dx)}" y="{_f(dy)}" text-anchor="middle" '
                 f'dominant-baseline="central">{escape(marker.label)}</text></g>')
        if marker.href:
            shape = f'<a href="{escape(marker.href)}" aria-label="{escape(marker.title)}">' \
                    f'{shape}</a>'
        found.append(shape)
    return found


# -- furniture -------------------------------------------------------------------------------

def _scale_bar(frame: Frame) -> str:
    km = nice_km(frame.width / 4 / frame.px_per_km)
    length = km * frame.px_per_km
    x, y = 12.0, frame.height - 12.0
    return (f'<g class="carte-echelle"><title>Échelle : {escape(_km(km))} '
            f'(à la latitude du centre de la carte)</title>'
            f'<rect x="{_f(x - 6)}" y="{_f(y - 24)}" width="{_f(length + 12)}" height="30"/>'
            f'<path d="M{_f(x)},{_f(y - 5)} V{_f(y)} H{_f(x + length)} V{_f(y - 5)}"/>'
            f'<text x="{_f(x)}" y="{_f(y - 10)}">{escape(_km(km))}</text></g>')


def _attribution(frame: Frame, tiles_url: str | None) -> str:
    text = "Contours approximatifs : INSEE, La Poste (ODbL)"
    if tiles_url:
        host = urlsplit(tiles_url).hostname or ""
        background = ("© les contributeurs d’OpenStreetMap" if "openstreetmap" in host
                      else f"fond : {host}")
        text = f"{background} ; {text}"
    width = 5.4 * len(text) + 8  # about the width of 10 px text
    x, y = frame.width - 4.0, frame.height - 4.0
    return (f'<g class="carte-source"><rect x="{_f(x - width)}" y="{_f(y - 13)}" '
            f'width="{_f(width + 4)}" height="17"/>'
            f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="end">{escape(text)}</text></g>')
