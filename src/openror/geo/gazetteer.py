"""The gazetteer: communes (current and former), départements, régions, postal codes and
approximate coordinates, looked up by code, postal code or name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from .bounds import in_france
from .model import CURRENT_KINDS, Commune, Departement, GeoRows, PostalName, Region
from .names import departement_of_postal_code, normalise_name, normalise_postal_code

#: how far ``current()`` follows merges; real chains are 3 long at most
_MAX_HOPS = 16

# A name index entry: (source rank, kind rank, code). Lower ranks win: a commune's own name
# beats another name La Poste gives it, and a current commune beats a déléguée or a former one.
_Entry = tuple[int, int, str]
_Index = dict[tuple[str, str], list[_Entry]]


class Gazetteer:
    """Immutable lookups over :class:`GeoRows`; build a newer one with :meth:`with_rows`."""

    def __init__(self, rows: GeoRows, label: str = "") -> None:
        self.rows = rows
        self.label = label
        self._communes = {c.code: c for c in rows.communes}
        self._departements = {d.code: d for d in rows.departements}
        self._regions = {r.code: r for r in rows.regions}
        self._by_postal = _postal_index(rows.communes)
        # built on the first find(): normalising every name costs more than loading
        self._names: tuple[_Index, _Index] | None = None

    def with_rows(self, rows: GeoRows, label: str = "") -> Gazetteer:
        """A gazetteer with ``rows`` on top of this one: a row replaces the row with the same
        code; postal names are added."""
        return Gazetteer(merge_rows(self.rows, rows), label or self.label)

    def __len__(self) -> int:
        return len(self._communes)

    def communes(self) -> Iterator[Commune]:
        return iter(self._communes.values())

    def commune(self, code: str) -> Commune | None:
        """The commune with this INSEE code, current or former (then ``current_code`` differs)."""
        return self._communes.get(code.strip().upper())

    def current(self, code: str) -> Commune | None:
        """The commune in force today for this code, following merges."""
        commune = self.commune(code)
        for _ in range(_MAX_HOPS):
            if commune is None or commune.is_current:
                return commune
            commune = self._communes.get(commune.current_code)
        return None

    def by_postal_code(self, postal_code: str) -> list[Commune]:
        """Current communes and municipal arrondissements served by a postal code."""
        codes = self._by_postal.get(normalise_postal_code(postal_code), ())
        # communes before arrondissements ("Paris" before "Paris 15e"), then by name
        return sorted((self._communes[code] for code in codes),
                      key=lambda c: (c.kind != "COM", normalise_name(c.name)))

    def departement(self, code: str) -> Departement | None:
        code = code.strip().upper()
        return self._departements.get(code.zfill(2) if code.isdigit() else code)

    def region(self, code: str) -> Region | None:
        code = code.strip()
        return self._regions.get(code.zfill(2) if code.isdigit() else code)

    def point(self, commune_code: str) -> tuple[float, float] | None:
        """Where to place something known only by its commune: the commune's approximate centre,
        else its current commune's, else its département's chef-lieu."""
        commune = self.commune(commune_code)
        if commune is None:
            return None
        for candidate in (commune, self.current(commune.code), self._chef_lieu(commune)):
            if candidate is not None and candidate.lat is not None and candidate.lon is not None:
                return (candidate.lat, candidate.lon)
        return None

    def in_france(self, lat: float, lon: float) -> bool:
        """Within metropolitan France or an overseas territory's bounding box (bounds.py)."""
        return in_france(lat, lon)

    def find(self, postal_code: str | None, city: str) -> Commune | None:
        """The commune named ``city`` under ``postal_code``; CEDEX codes and unknown postal
        codes fall back to the postal code's département, no postal code to the whole country
        (then only an unambiguous name matches)."""
        by_cp, by_dep = self._name_index()
        name = normalise_name(city)
        cp = normalise_postal_code(postal_code or "")
        if not name:
            served = self.by_postal_code(cp) if cp else []
            return served[0] if len(served) == 1 else None
        if cp and (cp, name) in by_cp:
            return self._pick(by_cp[(cp, name)], unique=False)
        dep = departement_of_postal_code(cp) if cp else None
        if dep is not None:
            return self._pick(by_dep.get((dep, name), []), unique=True)
        if not cp:
            return self._pick(by_dep.get(("", name), []), unique=True)
        return None

    def _pick(self, entries: list[_Entry], unique: bool) -> Commune | None:
        """The best-ranked match; with ``unique``, None when the best ones are different
        communes (two "Saint-Martin" in a département)."""
        if not entries:
            return None
        best = min(entries)[:2]
        codes = [code for (src, kind, code) in entries if (src, kind) == best]
        if unique:
            currents = {c.code for c in map(self.current, codes) if c is not None}
            if len(currents) > 1:
                return None
        return self._communes[codes[0]]

    def _chef_lieu(self, commune: Commune) -> Commune | None:
        dep = self._departements.get(commune.departement)
        return self._communes.get(dep.chef_lieu) if dep else None

    def _name_index(self) -> tuple[_Index, _Index]:
        if self._names is None:
            self._names = _build_name_index(self._communes, self.rows.postal_names)
        return self._names


def _postal_index(communes: Iterable[Commune]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for c in communes:
        if c.kind in CURRENT_KINDS and c.is_current:
            for cp in c.postal_codes:
                index.setdefault(cp, []).append(c.code)
    return index


def _kind_rank(commune: Commune) -> int:
    if not commune.is_current and commune.kind in CURRENT_KINDS:
        return 2  # a former commune
    return 0 if commune.is_current else 1


def _build_name_index(communes: dict[str, Commune], postal_names: Iterable[PostalName]
                      ) -> tuple[_Index, _Index]:
    """(postal code, name) and (département, name) -> entries; département "" is the
    whole country."""
    by_cp: _Index = {}
    by_dep: _Index = {}

    def add(commune: Commune, cps: Iterable[str], name: str, source: int) -> None:
        entry = (source, _kind_rank(commune), commune.code)
        key = normalise_name(name)
        for cp in cps:
            by_cp.setdefault((cp, key), []).append(entry)
        by_dep.setdefault((commune.departement, key), []).append(entry)
        by_dep.setdefault(("", key), []).append(entry)

    for commune in communes.values():
        add(commune, commune.postal_codes, commune.name, 0)
    for pn in postal_names:
        named = communes.get(pn.commune_code)
        if named is not None:
            add(named, (pn.postal_code,), pn.name, 1)
    return by_cp, by_dep


_Row = TypeVar("_Row", Region, Departement, Commune)


def _by_code(old: Iterable[_Row], new: Iterable[_Row]) -> tuple[_Row, ...]:
    merged = {row.code: row for row in old}
    merged.update((row.code, row) for row in new)
    return tuple(merged.values())


def merge_rows(base: GeoRows, top: GeoRows) -> GeoRows:
    """``top`` on ``base``: same code -> the row of ``top``; postal names are a union."""
    return GeoRows(
        regions=_by_code(base.regions, top.regions),
        departements=_by_code(base.departements, top.departements),
        communes=_by_code(base.communes, top.communes),
        postal_names=tuple(dict.fromkeys((*base.postal_names, *top.postal_names))),
    )
