"""Locate the *positions* a FHIRPath expression selects in a resource's JSON.

fhirpathpy returns values only, but a patch has to know where a value lives (holding object,
key, list index) to change it. This module handles the subset of FHIRPath that patch paths
use in practice: ``Type.element.element``, ``[n]``, ``where(criteria)``, ``first()``,
``last()``, ``ofType(T)`` and choice elements (``value`` finds ``valueString``...).

Criteria of the common form ``a.b = 'literal' and c = 'x'`` are evaluated natively with the
same locator (fhirpathpy costs ~0.1 ms per call, too slow for a capacity feed patching
several extensions); any other criteria goes to fhirpathpy with the R4 model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import fhirpathpy
from fhirpathpy.models import models

# Type suffixes a choice element can take in R4 JSON (value -> valueCodeableConcept).
TYPE_SUFFIXES = frozenset({
    "Base64Binary", "Boolean", "Canonical", "Code", "Date", "DateTime", "Decimal", "Id",
    "Instant", "Integer", "Markdown", "Oid", "PositiveInt", "String", "Time", "UnsignedInt",
    "Uri", "Url", "Uuid", "Address", "Age", "Annotation", "Attachment", "CodeableConcept",
    "Coding", "ContactPoint", "Count", "Distance", "Duration", "HumanName", "Identifier",
    "Money", "Period", "Quantity", "Range", "Ratio", "Reference", "SampledData", "Signature",
    "Timing", "ContactDetail", "Contributor", "DataRequirement", "Expression",
    "ParameterDefinition", "RelatedArtifact", "TriggerDefinition", "UsageContext", "Dosage",
    "Meta",
})

SUPPORTED = "'.'-separated element names, [n], where(), first(), last() and ofType()"

_IDENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|`[^`]+`)")
_INDEX = re.compile(r"\[\s*(\d+)\s*\]")
_EQUALITY = re.compile(r"^(.+?)\s*=\s*('(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false)$", re.S)
_AND = re.compile(r"\s+and\s+")


class PathError(ValueError):
    """The path is malformed (code ``invalid``) or uses an unsupported construct."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Step:
    op: Literal["child", "index", "where", "first", "last", "ofType"]
    arg: str = ""
    index: int = 0


@dataclass(slots=True)  # not frozen: a frozen __init__ is ~2x slower, and many are built
class Slot:
    """Where a selected element lives: ``parent[key]`` or ``parent[key][index]``."""

    parent: dict[str, Any]
    key: str
    index: int | None = None
    choice: str | None = None  # base name when reached through a choice element ("value")

    @property
    def value(self) -> Any:
        held = self.parent[self.key]
        return held if self.index is None else held[self.index]


ROOT_KEY = "$root"


def root_slot(resource: dict[str, Any]) -> Slot:
    return Slot({ROOT_KEY: resource}, ROOT_KEY)


# ---------------------------------------------------------------- parsing


@lru_cache(maxsize=1024)
def parse_path(text: str) -> tuple[Step, ...]:
    """Split a path into steps; raise PathError naming the first unsupported construct."""
    steps: list[Step] = []
    i, n = 0, len(text)
    while True:
        m = _IDENT.match(text, i)
        if not m:
            raise PathError(f"expected an element name at position {i} of '{text}'; "
                            f"patch paths support {SUPPORTED}")
        name, i = m.group(1).strip("`"), m.end()
        if i < n and text[i] == "(":
            end = _closing_paren(text, i)
            steps.append(_function(name, text[i + 1 : end].strip()))
            i = end + 1
        else:
            steps.append(Step("child", name))
        while (m := _INDEX.match(text, i)) is not None:
            steps.append(Step("index", index=int(m.group(1))))
            i = m.end()
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            return tuple(steps)
        if text[i] != ".":
            raise PathError(
                f"'{text[i:]}' is not supported in a patch path; use {SUPPORTED}", "not-supported"
            )
        i += 1


def _outside_quotes(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth after it) of the characters outside quotes."""
    depth, quote, i = 0, "", start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        else:
            depth += (c in "([") - (c in ")]")
            yield i, c, depth
        i += 1


def _closing_paren(text: str, start: int) -> int:
    for i, c, depth in _outside_quotes(text, start):
        if c == ")" and depth == 0:
            return i
    raise PathError(f"unbalanced parenthesis in '{text}'")


def _function(name: str, arg: str) -> Step:
    if name == "where" and arg:
        return Step("where", arg)
    if name == "first" and not arg:
        return Step("first")
    if name == "last" and not arg:
        return Step("last")
    if name == "ofType" and re.fullmatch(r"(?:FHIR\.|System\.)?[A-Za-z]+", arg):
        type_name = arg.rsplit(".", 1)[-1]
        return Step("ofType", type_name[0].upper() + type_name[1:])
    raise PathError(
        f"function {name}({arg}) is not supported in a patch path; use {SUPPORTED}",
        "not-supported",
    )


# ---------------------------------------------------------------- locating


def locate(start: Slot, steps: tuple[Step, ...]) -> list[Slot]:
    """Apply the steps to one starting slot; every result is a position in the JSON."""
    slots = [start]
    for step in steps:
        if step.op == "child":
            slots = [c for s in slots for c in children(s.value, step.arg)]
        elif step.op == "index":
            slots = slots[step.index : step.index + 1]
        elif step.op == "first":
            slots = slots[:1]
        elif step.op == "last":
            slots = slots[-1:]
        elif step.op == "where":
            test = compile_criteria(step.arg)
            slots = [s for s in slots if test(s.value)]
        else:
            slots = [s for s in slots if _is_of_type(s, step.arg)]
    return slots


def choice_key(node: dict[str, Any], name: str) -> str | None:
    """The JSON key holding choice element ``name`` (value -> valueString), if present."""
    for key in node:
        if key.startswith(name) and key[len(name) :] in TYPE_SUFFIXES:
            return key
    return None


def children(node: Any, name: str) -> Iterator[Slot]:
    if not isinstance(node, dict):
        return
    key = name if name in node else choice_key(node, name)
    if key is None:
        return
    held, choice = node[key], (None if key == name else name)
    if isinstance(held, list):
        for i, item in enumerate(held):
            if item is not None:  # null placeholders only exist in primitive shadow lists
                yield Slot(node, key, i, choice)
    else:
        yield Slot(node, key, None, choice)


def _is_of_type(slot: Slot, type_name: str) -> bool:
    if slot.choice is not None:
        return slot.key == slot.choice + type_name
    value = slot.value
    if isinstance(value, dict) and "resourceType" in value:
        return bool(value["resourceType"] == type_name)
    raise PathError(
        f"ofType({type_name}) is only supported on choice elements and resources, "
        f"not on '{slot.key}'",
        "not-supported",
    )


# ---------------------------------------------------------------- where() criteria


@lru_cache(maxsize=1024)
def compile_criteria(text: str) -> Callable[[Any], bool]:
    """A predicate for a where() criteria, parsed once per distinct text (a feed's paths are
    few, and a nested where() is compiled again for every candidate otherwise)."""
    native = _native_criteria(text)
    if native is not None:
        return native
    fn = fhirpathpy.compile(text, model=models["r4"])

    def by_fhirpathpy(node: Any) -> bool:
        try:
            return bool(fn(node, None) == [True])
        except Exception as exc:  # fhirpathpy reports syntax errors as bare Exception
            raise PathError(f"cannot evaluate where({text}): {exc}") from exc

    return by_fhirpathpy


def _native_criteria(text: str) -> Callable[[Any], bool] | None:
    """``path = literal``, ``path.empty()`` and ``path.exists()`` clauses joined by ``and``,
    evaluated with the locator; None if the text has another form."""
    tests: list[Callable[[Any], bool]] = []
    for clause in _top_level_and(text.strip()):
        test = _native_clause(clause.strip())
        if test is None:
            return None
        tests.append(test)
    if len(tests) == 1:
        return tests[0]

    def native(node: Any) -> bool:
        return all(test(node) for test in tests)

    return native


def _native_clause(clause: str) -> Callable[[Any], bool] | None:
    for suffix, wanted in ((".empty()", False), (".exists()", True)):
        if clause.endswith(suffix):
            return _presence(clause[: -len(suffix)], wanted)
    m = _EQUALITY.match(clause)
    if m is None:
        return None
    steps = _value_steps(m.group(1))
    literal = _literal(m.group(2))
    if steps is None or literal is _UNSUPPORTED:
        return None
    read = _value_reader(steps)
    if len(steps) == 1 and steps[0].op == "child" and isinstance(literal, str):
        return _string_equality(steps[0].arg, literal, read)
    return lambda node: _equals_one(read(node), literal)


def _string_equality(name: str, literal: str,
                     read: Callable[[Any], list[Any]]) -> Callable[[Any], bool]:
    """``name = 'literal'`` (``url = '…'`` of every extension a feed's path filters):
    a string held right there is compared at once, anything else the general way."""
    def test(node: Any) -> bool:
        held = node.get(name) if type(node) is dict else None
        if type(held) is str:
            return held == literal
        return _equals_one(read(node), literal)

    return test


def _presence(path: str, wanted: bool) -> Callable[[Any], bool] | None:
    steps = _value_steps(path)
    if steps is None:
        return None
    read = _value_reader(steps)
    return lambda node: bool(read(node)) is wanted


def _value_steps(path: str) -> tuple[Step, ...] | None:
    try:
        steps = parse_path(path)
    except PathError:
        return None
    if steps[0].op != "child" or steps[0].arg[0].isupper() or any(
        step.op == "ofType" for step in steps
    ):
        return None  # type names and ofType() need type information: use fhirpathpy
    return steps


def _top_level_and(text: str) -> list[str]:
    """Split on ``and`` outside parentheses and quotes."""
    parts, start = [], 0
    for i, _, depth in _outside_quotes(text):
        if depth == 0 and i > start and (m := _AND.match(text, i)) is not None:
            parts.append(text[start:i])
            start = m.end()
    parts.append(text[start:])
    return parts


ValueStage = Callable[[list[Any]], list[Any]]


def _value_reader(steps: tuple[Step, ...]) -> Callable[[Any], list[Any]]:
    """The values the steps select from one node (like locate(), values only), each step
    turned into a function once: a criteria's clauses run for every candidate of every
    update of the capacity feed."""
    stages = [_value_stage(step) for step in steps]

    def read(node: Any) -> list[Any]:
        items = [node]
        for stage in stages:
            items = stage(items)
        return items

    return read


def _value_stage(step: Step) -> ValueStage:
    """One step (a nested where is compiled, or found in the cache, when it runs)."""
    if step.op == "child":
        name = step.arg
        return lambda items: [v for item in items for v in _child_values(item, name)]
    if step.op == "where":
        text = step.arg

        def where(items: list[Any]) -> list[Any]:
            test = compile_criteria(text)
            return [item for item in items if test(item)]

        return where
    if step.op == "index":
        start = step.index
        return lambda items: items[start : start + 1]
    return (lambda items: items[:1]) if step.op == "first" else (lambda items: items[-1:])


def _child_values(node: Any, name: str) -> list[Any]:
    if not isinstance(node, dict):
        return []
    held = node.get(name)
    if held is None:
        key = choice_key(node, name)
        if key is None:
            return []
        held = node[key]
    if isinstance(held, list):
        return [v for v in held if v is not None]
    return [held]


_UNSUPPORTED = object()


def _literal(token: str) -> Any:
    if token.startswith("'"):
        if re.search(r"\\[^'\"`\\/]", token):
            return _UNSUPPORTED  # \n, \uXXXX...: let fhirpathpy decode them
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    if token in ("true", "false"):
        return token == "true"
    return float(token) if "." in token else int(token)


def _equals_one(values: list[Any], literal: Any) -> bool:
    """FHIRPath ``=`` against a one-item literal: true only for exactly one equal item."""
    if len(values) != 1:
        return False
    value = values[0]
    if isinstance(value, bool) or isinstance(literal, bool):
        return value is literal
    if isinstance(literal, str):
        return bool(value == literal)
    return isinstance(value, int | float) and bool(value == literal)
