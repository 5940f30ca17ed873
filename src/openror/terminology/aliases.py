"""Every accepted spelling of a code system or value set, precomputed into dicts.

Inputs name NOS systems in many ways: the TRE canonical URL (correct), the JDV URL, either with
a trailing ``/`` or ``http``, the NOS portal URL without ``/FHIR/...``, ``urn:oid:<OID>``, or the
bare NOS name. Building all spellings up front keeps :meth:`Terminology.check` to dict lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import nos_tables
from .model import ValueSet
from .naming import NOS_BASE, name_from_url, nos_url, short_id


def spellings(url: str, name: str | None = None) -> Iterator[str]:
    """Canonical URL variants plus, for NOS resources, the name, short id and FHIR id."""
    for u in (url, f"{url}/"):
        yield u
        if u.startswith("https://"):
            yield "http://" + u.removeprefix("https://")
    name = name or name_from_url(url)
    if name:
        yield from (name, short_id(name), name.replace("_", "-", 1), f"{NOS_BASE}{name}",
                    f"{NOS_BASE}{name}/")


def system_aliases(known: Iterable[str], value_sets: Iterable[ValueSet]) -> dict[str, str]:
    """Spelling -> canonical system URL. A JDV spelling maps only when the JDV has one system."""
    aliases: dict[str, str] = {}
    for vs_name, tres in nos_tables.VALUE_SETS.values():
        if len(tres) == 1:
            target = nos_url(nos_tables.CODE_SYSTEMS[tres[0]][0])
            aliases.update(dict.fromkeys(spellings(nos_url(vs_name), vs_name), target))
    for vs in value_sets:
        if len(vs.systems) == 1:
            aliases.update(dict.fromkeys(spellings(vs.url, _nos(vs)), vs.systems[0]))
    for tre_name, oid in nos_tables.CODE_SYSTEMS.values():
        target = nos_url(tre_name)
        aliases.update(dict.fromkeys(spellings(target, tre_name), target))
        if oid:
            aliases[f"urn:oid:{oid}"] = aliases[oid] = target
    for url in known:  # systems carried by data win over table-derived spellings
        aliases.update(dict.fromkeys(spellings(url), url))
    return aliases


def value_set_aliases(value_sets: Iterable[ValueSet]) -> dict[str, str]:
    """Spelling (id, name, URL variants) -> value set id."""
    aliases: dict[str, str] = {}
    for vs in value_sets:
        aliases.update(dict.fromkeys(spellings(vs.url, _nos(vs)), vs.id))
        aliases[vs.id] = aliases[vs.name] = vs.id
    return aliases


def _nos(vs: ValueSet) -> str | None:
    return vs.name if vs.name.startswith("JDV_") else None


def loosen(text: str) -> str:
    """Second-chance spelling: trimmed, without trailing slashes, https."""
    text = text.strip().rstrip("/")
    return "https://" + text.removeprefix("http://") if text.startswith("http://") else text
