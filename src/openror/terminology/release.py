"""Read terminology files into a :class:`Release`, resolving system references to canonical URLs."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import nos_tables
from .formats import (
    Parsed,
    ParsedCodeSystem,
    ParsedConcept,
    ParsedValueSet,
    decode,
    fail,
    parse_csv,
    parse_tabs,
)
from .json_formats import load_json, parse_json
from .model import Association, Concept, Release, ValueSet
from .naming import is_value_set_name, name_from_url, nos_name, nos_url, short_id

SUFFIXES = (".tabs", ".csv", ".json", ".json.gz", ".csv.gz", ".tabs.gz")


def load_release(paths: Iterable[Path], label: str | None = None) -> Release:
    """Parse files and directories (searched recursively) of tabs, CSV and JSON files."""
    paths = list(paths)
    parsed = [item for path in _files(paths) for item in parse_file(path)]
    return build_release(parsed, label or "+".join(p.name for p in paths))


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _supported(p))
        elif _supported(path):
            yield path
        else:
            raise fail(str(path), f"unsupported file type (expected one of {', '.join(SUFFIXES)})")


def _supported(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def parse_file(path: Path) -> list[Parsed]:
    raw = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        raw, name = gzip.decompress(raw), name.removesuffix(".gz")
    text = decode(raw, str(path))
    if name.endswith(".tabs"):
        return [parse_tabs(text, str(path))]
    if name.endswith(".csv"):
        stem = name.removesuffix(".csv")
        concepts = parse_csv(text, str(path))
        systems = tuple(dict.fromkeys(c.system for c in concepts))
        if is_value_set_name(stem):
            return [ParsedValueSet(stem, None, "", systems, concepts)]
        return [ParsedCodeSystem(stem, system, "", concepts) for system in systems]
    return parse_json(load_json(text, str(path)), str(path))


def build_release(parsed: Iterable[Parsed], label: str) -> Release:
    value_sets: list[ValueSet] = []
    code_systems: dict[str, dict[str, Concept]] = {}
    associations: list[Association] = []
    explicit: list[ParsedCodeSystem] = []
    for item in parsed:
        if isinstance(item, ParsedValueSet):
            vs = to_value_set(item)
            value_sets.append(vs)
            for c in vs.concepts:
                code_systems.setdefault(c.system, {}).setdefault(c.code, c)
        elif isinstance(item, ParsedCodeSystem):
            explicit.append(item)
        else:
            associations.append(_resolve_association(item))
    for cs in explicit:  # a CodeSystem resource is authoritative for its system
        url = resolve_system(cs.url)
        code_systems[url] = {c.code: _concept(url, c) for c in cs.concepts}
    return Release(
        tuple(value_sets),
        {url: tuple(by_code.values()) for url, by_code in code_systems.items()},
        label,
        tuple(associations),
        tuple(sorted({resolve_system(cs.url) for cs in explicit})),
    )


def to_value_set(parsed: ParsedValueSet) -> ValueSet:
    name = (name_from_url(parsed.url) if parsed.url else None) or parsed.name
    vs_id = short_id(name)
    known = nos_tables.VALUE_SETS.get(vs_id)
    single = known is not None and len(known[1]) == 1
    forced = nos_url(nos_tables.CODE_SYSTEMS[known[1][0]][0]) if known and single else None
    concepts: dict[tuple[str, str], Concept] = {}
    resolved: dict[str, str] = {}
    for c in parsed.concepts:
        # Single-system JDVs: every concept belongs to that TRE whatever the row says (J29).
        system = forced or resolved.get(c.system) or resolved.setdefault(
            c.system, resolve_system(c.system))
        if (system, c.code) not in concepts:
            concepts[system, c.code] = Concept(system, c.code, c.display, c.retired)
    systems = [forced] if forced else [resolve_system(s) for s in parsed.systems]
    url = nos_url(name) if is_value_set_name(name) else (parsed.url or name)
    return ValueSet(
        vs_id, url, name, parsed.version, tuple(dict.fromkeys(systems)), tuple(concepts.values())
    )


def _concept(system: str, c: ParsedConcept) -> Concept:
    return Concept(system, c.code, c.display, c.retired)


def resolve_system(ref: str) -> str:
    """An OID, ``urn:oid:``, NOS name or URL as written in a file -> canonical URL when known."""
    ref = ref.strip()
    oid = ref.removeprefix("urn:oid:")
    if oid in nos_tables.OID_TO_TRE:
        return nos_url(nos_tables.CODE_SYSTEMS[nos_tables.OID_TO_TRE[oid]][0])
    name = name_from_url(ref) if "://" in ref else nos_name(ref)
    if name and name.startswith("TRE_"):
        tre = nos_tables.CODE_SYSTEMS.get(short_id(name))
        return nos_url(tre[0] if tre else name)
    if ref[:1].isdigit():
        return f"urn:oid:{ref}"
    return ref


def _resolve_association(a: Association) -> Association:
    return Association(a.name, resolve_system(a.source_system), resolve_system(a.target_system),
                       a.pairs)
