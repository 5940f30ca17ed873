"""The :class:`Terminology`: stacked releases behind precomputed lookup dicts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from . import nos_tables
from .aliases import loosen, system_aliases, value_set_aliases
from .merge import effective_value_sets, merge_code_systems, merge_value_sets
from .model import Association, CodeCheck, Concept, Release, ValueSet
from .naming import name_from_url, nos_name, nos_url, short_id

_OK = CodeCheck("ok", "")


class Terminology:
    """Code systems and value sets of one or more releases; later releases override earlier ones."""

    def __init__(self, releases: Sequence[Release]) -> None:
        self._releases = tuple(releases)
        merged = merge_value_sets(self._releases)
        self._systems = merge_code_systems(self._releases, merged)
        self._complete = frozenset(s for r in self._releases for s in r.complete_systems)
        self._value_sets = effective_value_sets(merged, self._systems)
        self._system_alias = system_aliases(self._systems, self._value_sets.values())
        self._vs_alias = value_set_aliases(self._value_sets.values())
        self._vs_by_code = {
            vs_id: {c.code: c for c in reversed(vs.concepts)}
            for vs_id, vs in self._value_sets.items()
        }
        # value set id -> system -> code -> concept; one-system sets share the by-code dict.
        self._vs_index = {
            vs_id: _by_system(vs, self._vs_by_code[vs_id]) for vs_id, vs in self._value_sets.items()
        }
        self._vs_label = {vs_id: _label(vs) for vs_id, vs in self._value_sets.items()}

    def with_release(self, release: Release) -> Terminology:
        return Terminology((*self._releases, release))

    @property
    def releases(self) -> tuple[Release, ...]:
        return self._releases

    @property
    def value_sets(self) -> tuple[ValueSet, ...]:
        return tuple(self._value_sets.values())

    @property
    def associations(self) -> tuple[Association, ...]:
        return tuple(a for r in self._releases for a in r.associations)

    def concepts(self) -> Iterator[Concept]:
        """Every concept of every code system."""
        for codes in self._systems.values():
            yield from codes.values()

    def canonical_system(self, system: str) -> str:
        found = self._system_alias.get(system)
        if found is None:
            found = self._system_alias.get(loosen(system))
        return found if found is not None else system

    def knows_system(self, system: str) -> bool:
        return self.canonical_system(system) in self._systems

    def code_system_url(self, tre_id: str) -> str | None:
        url = self._system_alias.get(tre_id.strip())
        if url is None and (name := nos_name(tre_id)) and name.startswith("TRE_"):
            url = nos_url(name) if "-" in name else None
        return url

    def value_set_url(self, jdv_id: str) -> str | None:
        vs = self.value_set(jdv_id)
        if vs is not None:
            return vs.url
        known = nos_tables.VALUE_SETS.get(short_id(jdv_id.strip()))
        return nos_url(known[0]) if known else None

    def value_set(self, vs: str) -> ValueSet | None:
        vs_id = self._vs_id(vs)
        return self._value_sets[vs_id] if vs_id is not None else None

    def expand(self, vs: str, include_retired: bool = False) -> list[Concept]:
        found = self.value_set(vs)
        if found is None:
            return []
        return [c for c in found.concepts if include_retired or not c.retired]

    def lookup(self, system: str, code: str) -> Concept | None:
        concept = self._systems.get(self.canonical_system(system), {}).get(code)
        if concept is None:  # a multi-system JDV URL used as system: find the code in it
            vs_id = self._vs_id(system)
            concept = self._vs_by_code[vs_id].get(code) if vs_id else None
        return concept

    def display(self, system: str, code: str) -> str | None:
        concept = self.lookup(system, code)
        return concept.display if concept is not None else None

    def check(self, vs: str | None, system: str | None, code: str) -> CodeCheck:
        if vs is None:
            return self._check_system(system, code)
        vs_id = self._vs_id(vs)
        if vs_id is None:
            return CodeCheck(
                "unknown-valueset", f"value set '{vs}' is not loaded; the code cannot be checked"
            )
        if system is None or self._vs_alias.get(system) == vs_id:
            return self._verdict(self._vs_by_code[vs_id].get(code), code, self._vs_label[vs_id])
        canon = self.canonical_system(system)
        codes = self._vs_index[vs_id].get(canon)
        if codes is None:
            return self._wrong_system(vs_id, system, canon)
        return self._verdict(codes.get(code), code, self._vs_label[vs_id])

    def _check_system(self, system: str | None, code: str) -> CodeCheck:
        canon = self.canonical_system(system) if system is not None else None
        concepts = self._systems.get(canon) if canon is not None else None
        if concepts is None:
            message = f"code system '{system}' is not loaded; the code cannot be checked"
            return CodeCheck("unknown-system", message)
        concept = concepts.get(code)
        if concept is None and canon not in self._complete:
            # Known only through value sets: a code outside them may still be valid.
            message = f"code system '{system}' is only partly known; the code cannot be checked"
            return CodeCheck("unknown-system", message)
        return self._verdict(concept, code, _system_name(canon or ""))

    def _wrong_system(self, vs_id: str, system: str, canon: str) -> CodeCheck:
        expected = " or ".join(self._value_sets[vs_id].systems)
        status = "unknown-code" if canon in self._systems else "unknown-system"
        return CodeCheck(
            status,  # type: ignore[arg-type]
            f"system '{system}' is not used by {self._vs_label[vs_id]}; use {expected}",
        )

    @staticmethod
    def _verdict(concept: Concept | None, code: str, where: str) -> CodeCheck:
        if concept is None:
            message = f"code '{code}' is not in {where}; use one of its codes"
            return CodeCheck("unknown-code", message)
        if concept.retired:
            return CodeCheck(
                "retired",
                f"code '{code}' ({concept.display}) is retired in {where}; use a current code",
            )
        return _OK

    def _vs_id(self, vs: str) -> str | None:
        found = self._vs_alias.get(vs)
        return found if found is not None else self._vs_alias.get(loosen(vs))


def _by_system(vs: ValueSet, by_code: dict[str, Concept]) -> dict[str, dict[str, Concept]]:
    if len(vs.systems) == 1:
        return {vs.systems[0]: by_code}
    index: dict[str, dict[str, Concept]] = {s: {} for s in vs.systems}
    for c in vs.concepts:
        index[c.system].setdefault(c.code, c)
    return index


def _system_name(url: str) -> str:
    return name_from_url(url) or url


def _label(vs: ValueSet) -> str:
    """``JDV_J19-ModePriseEnCharge-ROR (TRE_R213-ModePriseEnCharge)`` for messages."""
    return f"{vs.name} ({', '.join(_system_name(s) for s in vs.systems)})"
