"""From one ``name[:modifier][.chain…]=value`` pair to a criterion on a resource type.

Shared by the query-string parser and ``_filter``. A parameter the type does not have raises
``UnknownParameter`` (the caller decides: ignore and report, or refuse); a malformed value or
an unsupported modifier is always a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable

from openror.errors import InvalidInput, error
from openror.fhir.resource_types import REGISTRY
from openror.fhir.search_params import SearchParam, param
from openror.fhir.search_values import words
from openror.search import values as parse_value
from openror.search.model import (
    AnyOf,
    Chain,
    Content,
    Criterion,
    Has,
    Match,
    Missing,
    Value,
)

MODIFIERS = {
    "token": {"", "not", "text", "of-type", "missing"},
    "uri": {"", "not", "missing"},
    "string": {"", "exact", "contains", "missing", "ew"},  # ew: a suffix, for _filter
    "date": {"", "missing"}, "number": {"", "missing"}, "quantity": {"", "missing"},
    "reference": {"", "identifier", "missing"},
}


class UnknownParameter(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def criterion(rtype: str, key: str, raw: str) -> Criterion:
    """The criterion ``key=raw`` states about resources of ``rtype``."""
    if key.startswith("_has:"):
        return _has(rtype, key, raw)
    head, _, rest = key.partition(".")
    if rest:
        return _chain(rtype, head, rest, raw, key)
    name, _, modifier = key.partition(":")
    if name == "_content":
        terms = tuple(w for w in words(raw))
        if not terms:
            raise parse_value.bad(key, raw, "one or more words")
        return Content(terms)
    p = param(rtype, name)
    if p is None or name == "_filter":
        raise UnknownParameter(key)
    return _on_resource(p, modifier, raw, key)


def _on_resource(p: SearchParam, modifier: str, raw: str, key: str) -> Criterion:
    if p.type == "special":
        if modifier:
            raise _no_modifier(key, modifier)
        parse = parse_value.near if p.name == "near" else parse_value.near_insee
        return parse(key, raw)
    if modifier == "missing":
        if raw not in ("true", "false"):
            raise parse_value.bad(key, raw, "true or false")
        return Missing(p, raw == "true")
    if p.type == "reference" and modifier in p.targets:
        return Match(p, "", tuple(parse_value.reference(key, v, modifier)
                                  for v in parse_value.split_escaped(raw, ",")))
    if modifier not in MODIFIERS.get(p.type, {""}):
        raise _no_modifier(key, modifier)
    if modifier == "of-type" and p.name != "identifier":
        raise _no_modifier(key, modifier)
    return Match(p, modifier, tuple(_value(p, modifier, key, v)
                                    for v in _values(p, modifier, raw)))


def _values(p: SearchParam, modifier: str, raw: str) -> list[str]:
    r"""The values of a comma-separated list. Where a value is split on bars later
    (``system|code``), ``\|`` and ``\\`` stay escaped until then: an identifier may hold
    bars."""
    bars = (p.type in ("token", "uri", "quantity") and modifier != "text") \
        or modifier == "identifier"
    return parse_value.split_escaped(raw, ",", keep="|\\" if bars else "")


def _value(p: SearchParam, modifier: str, key: str, text: str) -> Value:
    kind = p.type
    if kind == "reference" and modifier == "identifier":
        return parse_value.token(key, text)
    if kind == "reference":
        target = p.targets[0] if len(p.targets) == 1 else None
        return parse_value.reference(key, text, target)
    if kind in ("token", "uri") and modifier in ("text", "of-type"):
        return parse_value.string(key, text, "") if modifier == "text" \
            else parse_value.of_type(key, text)
    if kind == "string":
        return parse_value.string(key, text, modifier)
    return _PARSERS[kind](key, text)


_PARSERS: dict[str, Callable[[str, str], Value]] = {
    "token": parse_value.token, "uri": parse_value.token, "date": parse_value.date,
    "number": parse_value.number, "quantity": parse_value.quantity}


def _chain(rtype: str, head: str, rest: str, raw: str, key: str) -> Criterion:
    name, _, modifier = head.partition(":")
    p = param(rtype, name)
    if p is None or p.type != "reference":
        raise UnknownParameter(key)
    above = modifier == "above"
    if modifier and not above and modifier not in p.targets:
        raise _no_modifier(key, modifier)
    targets = [modifier] if modifier and not above else list(p.targets)
    if above and "Organization" not in p.targets:
        raise _no_modifier(key, modifier)
    if above:
        targets = ["Organization"]
    chains: list[Criterion] = []
    for target in targets:
        try:
            chains.append(Chain(p, target, criterion(target, rest, raw), above))
        except UnknownParameter:
            continue
    if not chains:
        raise UnknownParameter(key)
    return chains[0] if len(chains) == 1 else AnyOf(tuple(chains))


def _has(rtype: str, key: str, raw: str) -> Criterion:
    parts = key.split(":", 3)
    if len(parts) < 4 or parts[1] not in REGISTRY:
        raise parse_value.bad(key, raw, "_has:Type:reference-parameter:parameter=value")
    source, ref_name, rest = parts[1], parts[2], parts[3]
    p = param(source, ref_name)
    if p is None or p.type != "reference" or rtype not in p.targets:
        raise UnknownParameter(key)
    return Has(source, p, criterion(source, rest, raw))


def _no_modifier(key: str, modifier: str) -> InvalidInput:
    return InvalidInput([error("not-supported", f"search parameter '{key}': modifier "
                               f"':{modifier}' is not supported", key)])
