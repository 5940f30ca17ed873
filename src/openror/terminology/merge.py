"""Stack releases: later releases override earlier ones, and dropped codes become retired.

A code that an earlier release had in a value set (or code system) but a later release of the
same value set (or system) lacks stays known, marked retired, so stored data using it still
checks as "retired" rather than "unknown". At the code-system level a release usually carries
only some of the value sets drawing on a system, so a code dropped there stays active while any
current value set still offers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .model import Concept, Release, ValueSet

Key = tuple[str, str]


def merge_value_sets(releases: Sequence[Release]) -> dict[str, ValueSet]:
    merged: dict[str, ValueSet] = {}
    for release in releases:
        for vs in release.value_sets:
            old = merged.get(vs.id)
            merged[vs.id] = vs if old is None else _supersede(old, vs)
    return merged


def _supersede(old: ValueSet, new: ValueSet) -> ValueSet:
    keys = {(c.system, c.code) for c in new.concepts}
    dropped = tuple(_retire(c) for c in old.concepts if (c.system, c.code) not in keys)
    systems = tuple(dict.fromkeys(new.systems + tuple(c.system for c in dropped)))
    return replace(new, systems=systems, concepts=new.concepts + dropped)


def merge_code_systems(
    releases: Sequence[Release], value_sets: dict[str, ValueSet]
) -> dict[str, dict[str, Concept]]:
    merged: dict[str, dict[str, Concept]] = {}
    dropped: set[Key] = set()
    for release in releases:
        for url, concepts in release.code_systems.items():
            current = {c.code: c for c in concepts}
            for code, c in merged.get(url, {}).items():
                if code not in current:
                    current[code] = _retire(c)
                    dropped.add((url, code))
            merged[url] = current
    for vs in value_sets.values():
        for c in vs.concepts:
            known = merged.setdefault(c.system, {}).get(c.code)
            if known is None or (not c.retired and (c.system, c.code) in dropped):
                merged[c.system][c.code] = c
    return merged


def effective_value_sets(
    value_sets: dict[str, ValueSet], systems: dict[str, dict[str, Concept]]
) -> dict[str, ValueSet]:
    """A value-set concept is retired when its code system retired it too."""
    return {vs_id: _with_system_status(vs, systems) for vs_id, vs in value_sets.items()}


def _with_system_status(vs: ValueSet, systems: dict[str, dict[str, Concept]]) -> ValueSet:
    concepts = tuple(
        _retire(c) if not c.retired and systems[c.system][c.code].retired else c
        for c in vs.concepts
    )
    return replace(vs, concepts=concepts)


def _retire(c: Concept) -> Concept:
    return c if c.retired else replace(c, retired=True)
