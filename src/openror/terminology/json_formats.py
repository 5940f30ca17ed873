"""Parsers for JSON terminology files: FHIR R4 ValueSet / CodeSystem / Bundle, and the compact
format OpenROR uses for derived and spec-encoded lists (see ``data/README.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .formats import Parsed, ParsedCodeSystem, ParsedConcept, ParsedValueSet, fail

COMPACT_FORMAT = "openror-terminology/1"
_RETIRED_STATUS = frozenset({"retired", "deprecated", "inactive"})


def load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(source, f"line {exc.lineno}: invalid JSON ({exc.msg})") from None


def parse_json(data: Any, source: str) -> list[Parsed]:
    """A FHIR resource (ValueSet, CodeSystem, Bundle of them) or a compact document."""
    if not isinstance(data, dict):
        raise fail(source, "expected a JSON object")
    if data.get("format") == COMPACT_FORMAT:
        return list(_compact(data, source))
    return list(_fhir(data, source, "$"))


def _fhir(res: dict[str, Any], source: str, where: str) -> Iterator[Parsed]:
    kind = res.get("resourceType")
    if kind == "Bundle":
        for i, entry in enumerate(_list(res, "entry", source, where)):
            inner = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(inner, dict):
                yield from _fhir(inner, source, f"{where}.entry[{i}].resource")
    elif kind == "ValueSet":
        yield _fhir_value_set(res, source, where)
    elif kind == "CodeSystem":
        yield _fhir_code_system(res, source, where)
    else:
        raise fail(source, f"{where}: unsupported resourceType {kind!r}")


def _fhir_value_set(res: dict[str, Any], source: str, where: str) -> ParsedValueSet:
    systems: list[str] = []
    concepts: list[ParsedConcept] = []
    compose = res.get("compose") or {}
    for i, inc in enumerate(_list(compose, "include", source, f"{where}.compose")):
        at = f"{where}.compose.include[{i}]"
        system = _str(inc, "system", source, at)
        systems.append(system)
        for j, c in enumerate(_list(inc, "concept", source, at)):
            code = _str(c, "code", source, f"{at}.concept[{j}]")
            concepts.append(ParsedConcept(system, code, str(c.get("display", ""))))
    expansion = res.get("expansion") or {}
    for j, c in enumerate(_list(expansion, "contains", source, f"{where}.expansion")):
        at = f"{where}.expansion.contains[{j}]"
        system = _str(c, "system", source, at)
        systems.append(system)
        code = _str(c, "code", source, at)
        display, inactive = str(c.get("display", "")), bool(c.get("inactive"))
        concepts.append(ParsedConcept(system, code, display, inactive))
    name = str(res.get("name") or res.get("id") or "")
    return ParsedValueSet(
        name, res.get("url"), str(res.get("version", "")), tuple(dict.fromkeys(systems)),
        tuple(concepts),
    )


def _fhir_code_system(res: dict[str, Any], source: str, where: str) -> ParsedCodeSystem:
    url = _str(res, "url", source, where)
    items = _list(res, "concept", source, where)
    concepts = tuple(_flatten(url, items, source, f"{where}.concept"))
    name = str(res.get("name") or res.get("id") or url)
    return ParsedCodeSystem(name, url, str(res.get("version", "")), concepts)


def _flatten(system: str, items: list[Any], source: str, where: str) -> Iterator[ParsedConcept]:
    for i, c in enumerate(items):
        at = f"{where}[{i}]"
        code = _str(c, "code", source, at)
        yield ParsedConcept(system, code, str(c.get("display", "")), _is_retired(c))
        yield from _flatten(system, _list(c, "concept", source, at), source, f"{at}.concept")


def _is_retired(concept: dict[str, Any]) -> bool:
    """CodeSystem.concept.property: status=retired/deprecated, or deprecated/retired=true."""
    for prop in concept.get("property") or ():
        code = prop.get("code")
        if code == "status" and str(prop.get("valueCode", "")).lower() in _RETIRED_STATUS:
            return True
        if code in ("deprecated", "retired", "inactive") and prop.get("valueBoolean") is True:
            return True
    return False


def _compact(data: dict[str, Any], source: str) -> Iterator[Parsed]:
    """``value_sets``: [{name, url, version, include: [{system, concepts}]}]; ``code_systems``:
    [{name, url, version, concepts}]; a concept is ``[code, display]`` or ``[code, display, 1]``
    when retired. ``source`` notes are for readers and ignored here.
    """
    for i, vs in enumerate(_list(data, "value_sets", source, "$")):
        at = f"$.value_sets[{i}]"
        systems: list[str] = []
        concepts: list[ParsedConcept] = []
        for j, inc in enumerate(_list(vs, "include", source, at)):
            system = _str(inc, "system", source, f"{at}.include[{j}]")
            systems.append(system)
            concepts.extend(_compact_concepts(system, inc, source, f"{at}.include[{j}]"))
        yield ParsedValueSet(
            _str(vs, "name", source, at), vs.get("url"), str(vs.get("version", "")),
            tuple(systems), tuple(concepts),
        )
    for i, cs in enumerate(_list(data, "code_systems", source, "$")):
        at = f"$.code_systems[{i}]"
        url = _str(cs, "url", source, at)
        yield ParsedCodeSystem(
            str(cs.get("name", url)), url, str(cs.get("version", "")),
            tuple(_compact_concepts(url, cs, source, at)),
        )


def _compact_concepts(
    system: str, holder: dict[str, Any], source: str, where: str
) -> list[ParsedConcept]:
    rows = _list(holder, "concepts", source, where)
    for k, row in enumerate(rows):  # validate first so the build below can stay a tight loop
        if type(row) is not list or not 2 <= len(row) <= 3 or not isinstance(row[0], str):
            raise fail(source, f"{where}.concepts[{k}]: expected [code, display(, retired)]")
    return [ParsedConcept(system, row[0], str(row[1]), len(row) == 3 and bool(row[2]))
            for row in rows]


def _list(holder: Any, key: str, source: str, where: str) -> list[Any]:
    value = holder.get(key, []) if isinstance(holder, dict) else None
    if not isinstance(value, list):
        raise fail(source, f"{where}.{key}: expected a list")
    return value


def _str(holder: Any, key: str, source: str, where: str) -> str:
    value = holder.get(key) if isinstance(holder, dict) else None
    if not isinstance(value, str) or not value:
        raise fail(source, f"{where}: missing {key!r}")
    return value
