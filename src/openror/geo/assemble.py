"""From parsed sources to gazetteer rows: resolve former codes to current communes, choose
postal codes, and give every commune a point.

Shared by ``tools/build_geo_data.py`` (the bundle) and ``openror import geo`` (database rows).
Whatever a source does not give is taken from ``base`` (the gazetteer in use), so that a newer
COG CSV alone keeps the postal codes and coordinates already known.

Coordinates, in order of preference (see data/README.md):
1. La Poste ``coordonnees_gps`` of the code (mean of its lines);
2. the base gazetteer's point for the code;
3. the mean of the La Poste points of the former communes merged into it;
4. its parent's point (commune déléguée/associée, municipal arrondissement);
5. the mean of the points of the communes sharing its postal codes;
6. its département's chef-lieu (for the overseas collectivities, ``CAPITALS``).
A former code takes its own La Poste point, else its current commune's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from .gazetteer import Gazetteer
from .model import CURRENT_KINDS, Commune, Departement, GeoRows, PostalName, Region
from .names import normalise_name
from .sources import CommuneEntry, Movement, PostalRow, Sources

Point = tuple[float, float]
_KIND_ORDER = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}
_MAX_HOPS = 16

#: La Poste gives no coordinates for the overseas collectivities: their chefs-lieux, entered
#: by hand (town centres, about 1 km), so that their communes fall back to something in the
#: territory rather than nowhere
CAPITALS: dict[str, Point] = {
    "97502": (46.7811, -56.1764),  # Saint-Pierre (Saint-Pierre-et-Miquelon)
    "97701": (17.8962, -62.8498),  # Gustavia (Saint-Barthélemy)
    "97801": (18.0678, -63.0825),  # Marigot (Saint-Martin)
    "98613": (-13.2825, -176.1736),  # Mata-Utu (Wallis-et-Futuna)
    "98735": (-17.535, -149.5696),  # Papeete (Polynésie française)
    "98818": (-22.2758, 166.458),  # Nouméa (Nouvelle-Calédonie)
}


@dataclass
class _Work:
    """Intermediate state of one assembly."""

    entries: dict[str, CommuneEntry]
    departements: dict[str, Departement]
    regions: dict[str, Region]
    successor: dict[str, str] = field(default_factory=dict)  # former code -> next code
    old_names: dict[str, str] = field(default_factory=dict)
    shadowed: list[CommuneEntry] = field(default_factory=list)  # COMD sharing a COM's code


def assemble(sources: Sources, base: Gazetteer | None = None) -> GeoRows:
    work = _start(sources, base)
    _successors(work, sources, base)
    current = _resolve_all(work)
    communes = _communes(work, current, sources, base)
    communes = _place(communes, work, sources, base)
    return GeoRows(
        regions=tuple(sorted(work.regions.values(), key=lambda r: r.code)),
        departements=tuple(sorted(work.departements.values(), key=lambda d: d.code)),
        communes=tuple(sorted(communes.values(), key=lambda c: c.code)),
        postal_names=_postal_names(communes, work, sources, base),
    )


# --- entries ------------------------------------------------------------------------------


def _start(sources: Sources, base: Gazetteer | None) -> _Work:
    entries_in = sources.communes or _base_entries(base)
    entries: dict[str, CommuneEntry] = {}
    shadowed: list[CommuneEntry] = []
    for e in sorted(entries_in, key=lambda e: _KIND_ORDER[e.kind]):
        if e.code in entries:
            shadowed.append(e)
        else:
            entries[e.code] = e
    deps = sources.departements or (list(base.rows.departements) if base else [])
    regs = sources.regions or (list(base.rows.regions) if base else [])
    work = _Work(entries, {d.code: d for d in deps}, {r.code: r for r in regs},
                 shadowed=shadowed)
    _inherit(work)
    return work


def _base_entries(base: Gazetteer | None) -> list[CommuneEntry]:
    if base is None:
        return []
    return [CommuneEntry(c.code, c.name, c.kind, c.departement, c.region, c.parent,
                         c.postal_codes)
            for c in base.communes() if c.is_current or c.kind not in CURRENT_KINDS]


def _inherit(work: _Work) -> None:
    """COG rows of communes déléguées carry no département/region: take the parent's."""
    for code, e in list(work.entries.items()):
        parent = work.entries.get(e.parent)
        dep = e.departement or (parent.departement if parent else "")
        dep_row = work.departements.get(dep)
        region = e.region or (parent.region if parent else "") or (
            dep_row.region if dep_row else "")
        if (dep, region) != (e.departement, e.region):
            work.entries[code] = replace(e, departement=dep, region=region)


# --- former codes -------------------------------------------------------------------------


def _successors(work: _Work, sources: Sources, base: Gazetteer | None) -> None:
    """Former code -> the code it became; later statements override earlier ones:
    base gazetteer < COG movements (oldest first) < ``anciensCodes`` of the commune list."""
    if base is not None:
        for c in base.communes():
            if not c.is_current and c.kind in CURRENT_KINDS:
                work.successor[c.code] = c.current_code
                work.old_names[c.code] = c.name
    work.old_names.update(_movement_names(sources.movements))
    for m in sorted(sources.movements, key=lambda m: m.date):
        work.successor[m.old_code] = m.new_code
    for e in work.entries.values():
        for old in e.former_codes:
            work.successor[old] = e.code
    work.old_names.update(sources.older_names)
    for code in work.entries:  # a code listed as an entry is not a former code
        work.successor.pop(code, None)


def _movement_names(movements: Iterable[Movement]) -> dict[str, str]:
    return {m.old_code: m.old_name for m in sorted(movements, key=lambda m: m.date)
            if m.old_name}


def _resolve_all(work: _Work) -> dict[str, str]:
    """Every code (entries and former codes) -> the current commune's code."""
    resolved: dict[str, str] = {}
    for code in (*work.entries, *work.successor):
        target = _resolve(work, code)
        if target is not None:
            resolved[code] = target
    return resolved


def _resolve(work: _Work, code: str) -> str | None:
    for _ in range(_MAX_HOPS):
        entry = work.entries.get(code)
        if entry is not None:
            if entry.kind in CURRENT_KINDS:
                return code
            code = entry.parent  # a commune déléguée/associée belongs to its chef-lieu
            continue
        if code not in work.successor:
            return None
        code = work.successor[code]
    return None  # a cycle in the movements: leave the code out


# --- communes -----------------------------------------------------------------------------


def _communes(work: _Work, current: dict[str, str], sources: Sources,
              base: Gazetteer | None) -> dict[str, Commune]:
    postal: dict[str, list[str]] = defaultdict(list)
    for row in sources.postal:
        if row.postal_code not in postal[row.code]:
            postal[row.code].append(row.postal_code)
    out: dict[str, Commune] = {}
    for code, entry in work.entries.items():
        if code in current:
            cps = entry.postal_codes or tuple(postal[code]) or _base_postal(base, code)
            out[code] = Commune(code, entry.name, entry.kind, entry.departement, entry.region,
                                None, None, tuple(sorted(cps)), current[code], entry.parent)
    for code in work.successor:
        now = out.get(current.get(code, ""))
        if now is not None:
            name = work.old_names.get(code) or _laposte_name(sources.postal, code) or now.name
            cps = tuple(sorted(postal[code])) or now.postal_codes
            out[code] = Commune(code, name, "COM", now.departement, now.region, None, None,
                                cps, now.code)
    for c in list(out.values()):  # postal codes of a déléguée without any: its parent's
        if not c.postal_codes and c.parent in out:
            out[c.code] = replace(c, postal_codes=out[c.parent].postal_codes)
    return out


def _base_postal(base: Gazetteer | None, code: str) -> tuple[str, ...]:
    commune = base.commune(code) if base else None
    return commune.postal_codes if commune else ()


def _laposte_name(rows: list[PostalRow], code: str) -> str:
    return next((r.name for r in rows if r.code == code), "")


# --- coordinates --------------------------------------------------------------------------


def _mean(points: Iterable[Point]) -> Point | None:
    pts = list(points)
    if not pts:
        return None
    return (round(sum(p[0] for p in pts) / len(pts), 5),
            round(sum(p[1] for p in pts) / len(pts), 5))


def _place(communes: dict[str, Commune], work: _Work, sources: Sources,
           base: Gazetteer | None) -> dict[str, Commune]:
    own = _laposte_points(sources.postal)
    points = _direct_points(communes, own, base)
    former = {code for code, c in communes.items() if not c.is_current and c.kind in CURRENT_KINDS}
    merged: dict[str, list[Point]] = defaultdict(list)
    for code in former:
        if code in own:
            merged[communes[code].current_code].append(own[code])
    by_cp: dict[str, list[str]] = defaultdict(list)
    for code, c in communes.items():
        if c.is_current:
            for cp in c.postal_codes:
                by_cp[cp].append(code)
    steps: list[Callable[[Commune], Point | None]] = [
        lambda c: _mean(merged.get(c.code, ())),
        lambda c: points.get(c.parent),
        lambda c: _mean(points[o] for cp in c.postal_codes for o in by_cp[cp] if o in points),
        lambda c: points.get(_chef_lieu(work, c)),
    ]
    for step in steps:
        # each step sees only the points of the previous ones: the result does not depend
        # on the order of the communes
        found = {code: p for code, c in communes.items()
                 if code not in points and code not in former and (p := step(c)) is not None}
        points.update(found)
    for code in former:
        if code not in points and communes[code].current_code in points:
            points[code] = points[communes[code].current_code]
    return {code: replace(c, lat=points[code][0], lon=points[code][1]) if code in points else c
            for code, c in communes.items()}


def _direct_points(communes: dict[str, Commune], own: dict[str, Point],
                   base: Gazetteer | None) -> dict[str, Point]:
    """La Poste's point for the code, else the base gazetteer's own (not a fallback) point."""
    points: dict[str, Point] = {}
    for code in communes:
        known = base.commune(code) if base else None
        if code in own:
            points[code] = own[code]
        elif known is not None and known.lat is not None and known.lon is not None:
            points[code] = (known.lat, known.lon)
        elif code in CAPITALS:
            points[code] = CAPITALS[code]
    return points


def _chef_lieu(work: _Work, c: Commune) -> str:
    dep = work.departements.get(c.departement)
    return dep.chef_lieu if dep else ""


def _laposte_points(rows: Iterable[PostalRow]) -> dict[str, Point]:
    by_code: dict[str, list[Point]] = defaultdict(list)
    for r in rows:
        if r.lat is not None and r.lon is not None:
            by_code[r.code].append((r.lat, r.lon))
    return {code: p for code, pts in by_code.items() if (p := _mean(pts)) is not None}


# --- postal names -------------------------------------------------------------------------


def _postal_names(communes: dict[str, Commune], work: _Work, sources: Sources,
                  base: Gazetteer | None) -> tuple[PostalName, ...]:
    """Names other than the commune's own under each postal code it has."""
    if sources.postal:
        candidates = [PostalName(r.postal_code, r.code, name) for r in sources.postal
                      for name in (r.name, r.line5, r.routing) if name]
    else:
        candidates = list(base.rows.postal_names) if base else []
    candidates += [PostalName(cp, e.code, e.name) for e in work.shadowed
                   if e.code in communes for cp in communes[e.code].postal_codes]
    own = {(c.code, normalise_name(c.name)) for c in communes.values()}
    kept: dict[tuple[str, str, str], PostalName] = {}
    for pn in candidates:
        key = normalise_name(pn.name)
        if pn.commune_code in communes and (pn.commune_code, key) not in own:
            kept.setdefault((pn.postal_code, pn.commune_code, key), pn)
    return tuple(sorted(kept.values(), key=lambda p: (p.postal_code, p.commune_code, p.name)))
