"""A fast evaluator for the small FHIRPath subset that search parameter expressions use.

Indexing runs these expressions on every write, so they are compiled once into plain Python
steps instead of going through a general FHIRPath engine (which costs about a hundred times
more per resource). The subset: member access, ``value`` and other choice elements
(``value[x]``), ``where(url = '…')`` / ``where(id = '…')``, ``as(Type)`` / ``ofType(Type)``
(type tests are implied by the element names, so they pass values through), and ``|`` unions.
The tests check these compiled paths against fhirpathpy on the same expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

Step = Callable[[Iterable[Any]], Iterator[Any]]

_WHERE = re.compile(r"where\(\s*(url|id)\s*=\s*'([^']*)'\s*\)$")
_CAST = re.compile(r"(as|ofType)\(\s*[A-Za-z]+\s*\)$")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
#: FHIR choice elements the search expressions reach, by their short name
_CHOICES = frozenset({"value", "onset", "effective", "timing", "occurrence"})


class UnsupportedPath(ValueError):
    """The expression uses FHIRPath beyond the subset; say which part."""


def split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside quotes and parentheses."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == sep:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _children(name: str) -> Step:
    choice = name in _CHOICES

    def step(items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            if not isinstance(item, dict):
                continue
            if name in item:  # a plain element (Money.value, Quantity.value…)
                found = [item[name]]
            elif choice:
                found = [v for k, v in item.items()
                         if k.startswith(name) and k[len(name):len(name) + 1].isupper()]
            else:
                found = []
            for value in found:
                if isinstance(value, list):
                    yield from value
                else:
                    yield value
    return step


def _where(key: str, wanted: str) -> Step:
    def step(items: Iterable[Any]) -> Iterator[Any]:
        return (i for i in items if isinstance(i, dict) and i.get(key) == wanted)
    return step


def _compile_step(text: str) -> Step | None:
    if (m := _WHERE.match(text)) is not None:
        return _where(m.group(1), m.group(2))
    if _CAST.match(text):
        return None
    if _NAME.match(text):
        return _children(text)
    raise UnsupportedPath(f"unsupported FHIRPath step {text!r}")


def _compile_chain(text: str, resource_type: str) -> list[Step]:
    parts = split_top(text, ".")
    if parts and parts[0] == resource_type:
        parts = parts[1:]
    return [s for s in (_compile_step(p) for p in parts) if s is not None]


@cache
def compile_path(expression: str, resource_type: str = "") -> Callable[[Any], list[Any]]:
    """A function from a resource (or element) to the values the expression selects."""
    chains = [_compile_chain(branch, resource_type) for branch in split_top(expression, "|")]

    def evaluate(root: Any) -> list[Any]:
        out: list[Any] = []
        for chain in chains:
            items: Iterable[Any] = [root]
            for step in chain:
                items = step(items)
            out.extend(items)
        return out
    return evaluate
