"""``_filter``: from the parsed filter grammar to the criteria ordinary parameters make.

Each comparison becomes the equivalent ``name[:modifier]=value`` pair: ``eq`` on a token is the
token, ``ne`` is ``:not``; on a string ``eq`` and ``sw`` are the default prefix search (the
ROR documentation filters départements with ``address-postalcode eq "22"``), ``co``
``:contains``, ``ew`` a suffix; on dates,
numbers and quantities the operator is the prefix; ``pr`` is ``:missing`` reversed. A
``:above`` on the last part of a chained path (``organization._lastUpdated:above``, as the ROR
documentation writes it) applies to the reference.
"""

from __future__ import annotations

from openror.errors import InvalidInput, error
from openror.fhir.search_params import SearchParam, param
from openror.search import filter_grammar as fg
from openror.search.correlate import correlate
from openror.search.criteria import UnknownParameter, criterion
from openror.search.model import AllOf, AnyOf, Criterion, Not

#: ``eq`` on a string is the default string search (accent- and case-insensitive prefix), as
#: the ROR documentation uses it: ``address-postalcode eq "22"`` selects a département
_STRING_OPS = {"eq": "", "sw": "", "co": "contains", "ew": "ew"}
_ORDERED_OPS = frozenset({"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"})


def filter_criterion(rtype: str, text: str) -> Criterion:
    try:
        tree = fg.parse_filter(text)
    except fg.FilterSyntaxError as exc:
        raise InvalidInput([error("invalid", f"_filter: {exc.message} at position "
                                  f"{exc.position}", "_filter")]) from None
    return _convert(rtype, tree)


def _convert(rtype: str, node: fg.Filter) -> Criterion:
    if isinstance(node, fg.And):
        return AllOf(tuple(correlate([_convert(rtype, i) for i in node.items])))
    if isinstance(node, fg.Or):
        return AnyOf(tuple(_convert(rtype, i) for i in node.items))
    if isinstance(node, fg.Not):
        return Not(_convert(rtype, node.item))
    return _comparison(rtype, node)


def _comparison(rtype: str, c: fg.Comparison) -> Criterion:
    path = list(c.path)
    if len(path) > 1 and path[-1].endswith(":above"):
        path[-1] = path[-1].removesuffix(":above")
        path[-2] = path[-2].split(":")[0] + ":above"
    *chain, last = path
    target = _target_type(rtype, chain)
    name = last.split(":")[0]
    p = param(target, name) if target else None
    if name == "_content":
        key = ".".join([*chain, "_content"])
        return _criterion(rtype, key, c.value)
    if p is None:
        raise _bad(c, "an existing search parameter path")
    key, value = _pair(p, last, c)
    return _criterion(rtype, ".".join([*chain, key]), value)


def _criterion(rtype: str, key: str, value: str) -> Criterion:
    try:
        return criterion(rtype, key, value)
    except UnknownParameter as unknown:
        raise InvalidInput([error("not-supported", f"_filter: unknown search parameter "
                                  f"'{unknown.name}'", "_filter")]) from None


def _pair(p: SearchParam, last: str, c: fg.Comparison) -> tuple[str, str]:
    if c.op == "pr":
        return f"{p.name}:missing", "false" if c.value == "true" else "true"
    if p.type in ("token", "uri", "reference"):
        if c.op not in ("eq", "ne"):
            raise _bad(c, "eq or ne on a token or reference")
        if p.type == "reference" and c.op == "ne":
            raise _bad(c, "eq on a reference")
        return (f"{p.name}:not" if c.op == "ne" else last), c.value
    if p.type == "string":
        if c.op not in _STRING_OPS:
            raise _bad(c, "eq, sw, co or ew on a string")
        modifier = _STRING_OPS[c.op]
        return (f"{p.name}:{modifier}" if modifier else p.name), c.value
    if c.op not in _ORDERED_OPS:
        raise _bad(c, "eq, ne, gt, lt, ge, le, sa, eb or ap")
    return p.name, c.op + c.value


def _target_type(rtype: str, chain: list[str]) -> str | None:
    current = rtype
    for part in chain:
        name, _, modifier = part.partition(":")
        p = param(current, name)
        if p is None or p.type != "reference":
            return None
        current = modifier if modifier in p.targets else p.targets[0]
    return current


def _bad(c: fg.Comparison, expected: str) -> InvalidInput:
    path = ".".join(c.path)
    return InvalidInput([error("invalid", f"_filter: '{path} {c.op} {c.value}' is not valid; "
                               f"expected {expected}", "_filter")])
