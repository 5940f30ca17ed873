"""A fast evaluator for the small FHIRPath subset that search parameter expressions use.

Indexing runs these expressions on every write, so they are compiled once into plain Python
steps instead of going through a general FHIRPath engine (which costs about a hundred times
more per resource). The subset: member access, ``value`` and other choice elements
(``value[x]``), ``where(<path> = '…')`` (``url``, ``id``, ``type.coding.code``…),
``as(Type)`` / ``ofType(Type)`` (type tests are implied by the element names, so they pass
values through), and ``|`` unions.
The tests check these compiled paths against fhirpathpy on the same expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

Step = Callable[[list[Any]], list[Any]]

_WHERE = re.compile(r"where\(\s*([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)*)\s*=\s*'([^']*)'\s*\)$")
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


def _flat(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def _children(name: str) -> Step:
    choice = name in _CHOICES
    size = len(name)

    def step(items: list[Any]) -> list[Any]:
        found = [item[name] for item in items if isinstance(item, dict) and name in item]
        if choice:  # value[x]: the one key that starts with the name and a capital
            found += [v for item in items if isinstance(item, dict) and name not in item
                      for k, v in item.items()
                      if k.startswith(name) and k[size:size + 1].isupper()]
        return _flat(found)
    return step


def _where(key: str, wanted: str) -> Step:
    if "." not in key:
        def step(items: list[Any]) -> list[Any]:
            return [i for i in items if isinstance(i, dict) and i.get(key) == wanted]
        return step
    path = [_children(name) for name in key.split(".")]

    def nested(items: list[Any]) -> list[Any]:  # where(type.coding.code = '…')
        return [i for i in items if wanted in _follow(path, [i])]
    return nested


def _follow(steps: list[Step], items: list[Any]) -> list[Any]:
    for step in steps:
        items = step(items)
    return items


def _extensions(url: str) -> Step:
    """``extension.where(url = '…')`` in one pass: the commonest pair of steps by far."""
    def step(items: list[Any]) -> list[Any]:
        return [e for item in items if isinstance(item, dict)
                for e in item.get("extension") or () if isinstance(e, dict) and
                e.get("url") == url]
    return step


def _extension_values(url: str) -> Step:
    """``extension.where(url = '…').value``, the grouped parameters' usual expression (a
    capacity record has ten), in one pass; the same values as ``_children("value")`` after
    ``_extensions(url)``."""
    def step(items: list[Any]) -> list[Any]:
        found: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            for e in item.get("extension") or ():
                if not isinstance(e, dict) or e.get("url") != url:
                    continue
                values = [e["value"]] if "value" in e else [
                    v for k, v in e.items() if k.startswith("value") and k[5:6].isupper()]
                found += values
        return _flat(found)
    return step


def extension_value_url(expression: str) -> str | None:
    """``U`` when ``expression`` is ``extension.where(url = 'U').value`` and nothing more,
    which compiles to ``_extension_values(U)`` alone: ``extension_values`` answers it."""
    parts = split_top(expression, ".")
    if "|" in expression or len(parts) != 3 or parts[0] != "extension" or parts[2] != "value":
        return None
    m = _WHERE.match(parts[1])
    return m.group(2) if m is not None and m.group(1) == "url" else None


def extension_values(element: Any) -> dict[str, list[Any]]:
    """url -> what ``extension.where(url = url).value`` selects from ``element``, for every
    url in one pass over its extensions (a capacity record's ten parameters read ten urls)."""
    found: dict[str, list[Any]] = {}
    if not isinstance(element, dict):
        return found
    for e in element.get("extension") or ():
        if not isinstance(e, dict) or not isinstance(url := e.get("url"), str):
            continue  # no other value equals a url of the expression (a str)
        values = [e["value"]] if "value" in e else [
            v for k, v in e.items() if k.startswith("value") and k[5:6].isupper()]
        found.setdefault(url, []).extend(_flat(values))
    return found


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
    steps: list[Step] = []
    url = None  # of the extensions the last step selected
    for i, part in enumerate(parts):
        m = _WHERE.match(part)
        if m is not None and m.group(1) == "url" and i and parts[i - 1] == "extension":
            url = m.group(2)
            steps[-1] = _extensions(url)
            continue
        if part == "value" and url is not None:
            steps[-1] = _extension_values(url)
        elif (step := _compile_step(part)) is not None:
            steps.append(step)
        url = None
    return steps


@cache
def compile_path(expression: str, resource_type: str = "") -> Callable[[Any], list[Any]]:
    """A function from a resource (or element) to the values the expression selects."""
    chains = [_compile_chain(branch, resource_type) for branch in split_top(expression, "|")]
    if len(chains) == 1 and chains[0]:
        return _chain(chains[0])

    def evaluate(root: Any) -> list[Any]:
        out: list[Any] = []
        for chain in chains:
            items = [root]
            for step in chain:
                items = step(items)
                if not items:
                    break
            out.extend(items)
        return out
    return evaluate


def _chain(steps: list[Step]) -> Callable[[Any], list[Any]]:
    """``compile_path`` of an expression without ``|``: the same values, without the union's
    copy (each step returns a list of its own)."""
    if len(steps) == 1:
        step = steps[0]
        return lambda root: step([root])

    def evaluate(root: Any) -> list[Any]:
        items = [root]
        for step in steps:
            items = step(items)
            if not items:
                break
        return items
    return evaluate
