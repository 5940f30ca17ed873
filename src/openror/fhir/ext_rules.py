"""Generic checks driven by rules_data: extension slots, element cardinalities, reference targets.

Expressions follow the FHIRPath forms the kit and OperationOutcome readers expect:
``HealthcareService.extension('<url>')`` for a missing or repeated extension,
``HealthcareService.extension[1].extension('ageRange')`` for a sub-extension of one instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openror.errors import Issue, error
from openror.fhir.references import target_type
from openror.fhir.rules_data import ExtSpec


def card_text(low: int, high: int | None) -> str:
    return f"{low}..{'*' if high is None else high}"


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, item) for the dict items of a list (or of a single value, index -1)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item
    elif isinstance(value, dict):
        yield -1, value


def at(path: str, key: str, i: int) -> str:
    return f"{path}.{key}[{i}]" if i >= 0 else f"{path}.{key}"


def check_extensions(container: dict[str, Any], path: str, specs: tuple[ExtSpec, ...],
                     out: list[Issue], owner: str = "") -> None:
    """Cardinality and value type of each extension slot in ``specs`` on ``container``."""
    found: dict[str, list[int]] = {}
    exts = as_list(container.get("extension"))
    for i, ext in dicts(exts):
        url = ext.get("url")
        if isinstance(url, str):
            found.setdefault(url, []).append(i)
    for spec in specs:
        positions = found.get(spec.url, [])
        count = len(positions)
        if count < spec.min or (spec.max is not None and count > spec.max):
            where = f"{path}.extension('{spec.url}')"
            what = f"sub-extension '{spec.short}' of {owner}" if owner else \
                f"extension '{spec.short}'"
            problem = "is missing" if count < spec.min else f"appears {count} times"
            out.append(error("required" if count < spec.min else "structure",
                             f"{path}: {what} {problem}; the profile requires "
                             f"{card_text(spec.min, spec.max)} ({spec.url})", where))
        for i in positions:
            _check_one(exts[i], f"{path}.extension[{i}]", spec, out)


def _check_one(ext: dict[str, Any], where: str, spec: ExtSpec, out: list[Issue]) -> None:
    if spec.value is not None and f"value{spec.value}" not in ext:
        used = next((k for k in ext if k.startswith("value")), "no value")
        out.append(error("value", f"{where}: extension '{spec.short}' must carry "
                         f"value{spec.value}, found {used}", where))
    if spec.subs:
        check_extensions(ext, where, spec.subs, out, f"'{spec.short}'")


def check_cardinalities(resource: dict[str, Any], rtype: str,
                        rules: tuple[tuple[str, int, int | None], ...],
                        out: list[Issue]) -> None:
    """Profile cardinalities; a dotted path applies to each item of its first part."""
    for dotted, low, high in rules:
        head, _, tail = dotted.partition(".")
        if not tail:
            _count(resource, f"{rtype}.{head}", (low, high), out)
            continue
        for i, item in dicts(resource.get(head)):
            _count(item, f"{at(rtype, head, i)}.{tail}", (low, high), out)


def _count(obj: dict[str, Any], where: str, card: tuple[int, int | None],
           out: list[Issue]) -> None:
    path, key = where.rsplit(".", 1)
    low, high = card
    present = key in obj or f"_{key}" in obj
    count = len(as_list(obj.get(key))) if key in obj else int(present)
    if count < low:
        out.append(error("required", f"{path}.{key}: missing; the ROR profile requires "
                         f"{card_text(low, high)}", f"{path}.{key}"))
    elif high is not None and count > high:
        allowed = "is not allowed by the ROR profile (0..0)" if high == 0 else \
            f"has {count} values; the ROR profile allows {card_text(low, high)}"
        out.append(error("structure", f"{path}.{key} {allowed}", f"{path}.{key}"))


def check_reference_targets(resource: dict[str, Any], rtype: str,
                            rules: tuple[tuple[str, tuple[str, ...]], ...],
                            out: list[Issue]) -> None:
    """Each Reference's target type must be among the allowed ones (identifier-only is OK)."""
    for dotted, allowed in rules:
        head, _, tail = dotted.partition(".")
        if not tail:
            for j, ref in dicts(resource.get(head)):
                _check_target(ref, at(rtype, head, j), allowed, resource, out)
            continue
        for i, item in dicts(resource.get(head)):
            for j, ref in dicts(item.get(tail)):
                _check_target(ref, at(at(rtype, head, i), tail, j), allowed, resource, out)


def _check_target(ref: dict[str, Any], where: str, allowed: tuple[str, ...],
                  resource: dict[str, Any], out: list[Issue]) -> None:
    found = target_type(ref, resource)
    if found is not None and found not in allowed:
        out.append(error("value", f"{where}: a reference to {found} is not allowed here; "
                         f"allowed target types: {', '.join(allowed)}", where))
