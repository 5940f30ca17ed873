"""Parse a search request (query pairs) into a ``Query``.

Repeated parameters are AND, comma-separated values OR. Unknown parameters are ignored and
reported (lenient, the default) or refused with a 400 (``Prefer: handling=strict``).
Grouped parameters given together are correlated: they must hold on the same capacity
record, equipment, price… (``correlate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from openror.errors import InvalidInput, error
from openror.fhir.resource_types import REGISTRY
from openror.fhir.search_params import param
from openror.search.correlate import correlate
from openror.search.criteria import UnknownParameter, criterion
from openror.search.filter_query import filter_criterion
from openror.search.model import (
    AllOf,
    Criterion,
    Include,
    Query,
    SortKey,
)
from openror.search.values import bad

DEFAULT_COUNT = 200
MAX_COUNT = 1000
#: parameters about how results are presented, not which resources match
RESULT_PARAMS = frozenset({"_count", "_sort", "_include", "_revinclude", "_total", "_summary",
                           "_elements", "_format", "_pretty", "_cursor"})


def parse_query(rtype: str, pairs: Sequence[tuple[str, str]], *, strict: bool = False) -> Query:
    items: list[Criterion] = []
    ignored: list[str] = []
    result: dict[str, list[str]] = {}
    for key, raw in pairs:
        base = key.split(":", 1)[0]
        if base in RESULT_PARAMS:
            result.setdefault(key, []).append(raw)
            continue
        try:
            items.append(filter_criterion(rtype, raw) if key == "_filter"
                         else criterion(rtype, key, raw))
        except InvalidInput as exc:
            raise _naming(key, exc) from None
        except UnknownParameter as unknown:
            if strict:
                raise InvalidInput([error("not-supported", f"unknown search parameter "
                                          f"'{unknown.name}' for {rtype}", key)]) from None
            ignored.append(key)
    return Query(rtype, AllOf(tuple(correlate(items))), count=_count(result),
                 sort=_sort(rtype, result), includes=_includes(result),
                 total=_one(result, "_total", ("none", "estimate", "accurate"), "accurate"),
                 summary=_summary(result), elements=_elements(result), ignored=tuple(ignored))


def _naming(key: str, exc: InvalidInput) -> InvalidInput:
    """An error inside a chain names the parameter as the client wrote it."""
    return InvalidInput([
        i if i.expression == (key,) or key == "_filter"
        else replace(i, diagnostics=f"{key}: {i.diagnostics}", expression=(key,))
        for i in exc.issues])


def _count(result: dict[str, list[str]]) -> int:
    raw = (result.get("_count") or [str(DEFAULT_COUNT)])[-1]
    if not raw.isdigit():
        raise bad("_count", raw, f"a whole number from 0 to {MAX_COUNT}")
    return min(int(raw), MAX_COUNT)


def _one(result: dict[str, list[str]], key: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (result.get(key) or [default])[-1]
    if raw not in allowed:
        raise bad(key, raw, " or ".join(allowed))
    return raw


def _summary(result: dict[str, list[str]]) -> str | None:
    raw = _one(result, "_summary", ("count", "false"), "false")
    return None if raw == "false" else raw


def _elements(result: dict[str, list[str]]) -> tuple[str, ...]:
    names = [n.strip() for raw in result.get("_elements", []) for n in raw.split(",")]
    return tuple(n for n in names if n)


def _sort(rtype: str, result: dict[str, list[str]]) -> tuple[SortKey, ...]:
    keys = []
    for raw in result.get("_sort", []):
        for part in filter(None, raw.split(",")):
            descending = part.startswith("-")
            path = tuple(part.lstrip("-").split("."))
            if not _sortable(rtype, path):
                raise bad("_sort", part, "a search parameter of the type, optionally chained "
                          "(e.g. -organization.price-validity-start-date) or _id, "
                          "_lastUpdated")
            keys.append(SortKey(path, descending))
    return tuple(keys)


def _sortable(rtype: str, path: tuple[str, ...]) -> bool:
    current = rtype
    for name in path[:-1]:
        p = param(current, name)
        if p is None or p.type != "reference" or len(p.targets) != 1:
            return False
        current = p.targets[0]
    last = param(current, path[-1])
    return last is not None and last.type not in ("special", "reference")


def _includes(result: dict[str, list[str]]) -> tuple[Include, ...]:
    found = []
    for key, raws in result.items():
        base, _, modifier = key.partition(":")
        if base not in ("_include", "_revinclude"):
            continue
        if modifier not in ("", "iterate", "recurse"):
            raise bad(key, modifier, "_include or _include:iterate")
        found += [_include(key, raw, base == "_revinclude", bool(modifier)) for raw in raws]
    return tuple(found)


def _include(key: str, raw: str, reverse: bool, iterate: bool) -> Include:
    parts = raw.split(":")
    if len(parts) not in (2, 3) or parts[0] not in REGISTRY:
        raise bad(key, raw, "SourceType:reference-parameter[:TargetType]")
    p = param(parts[0], parts[1])
    if p is None or p.type != "reference":
        raise bad(key, raw, f"a reference parameter of {parts[0]}")
    target = parts[2] if len(parts) == 3 else None
    if target is not None and target not in p.targets:
        raise bad(key, raw, f"a target type of {parts[0]}:{parts[1]}")
    return Include(parts[0], parts[1], target, iterate, reverse)
