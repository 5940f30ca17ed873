"""A brute-force evaluator of search criteria, written from the FHIR R4 search specification
(https://hl7.org/fhir/R4/search.html) to check the SQL engine against.

It decides each criterion on one resource by evaluating the parameters' FHIRPath expressions
with fhirpathpy, then comparing the values it finds with the searched values the way the
specification says. It shares only the value normal forms with the server (text without
accents, date ranges, canonical units, implicit precision ranges, the haversine distance), the
gazetteer for the parameters derived from the commune and the NOS labels for ``:text``; it
does not use the server's path evaluator nor its index rows, so that the test does not check
the code against itself. ``_content`` is not modelled.

``store`` holds every live resource by (type, id): chains, ``_has`` and ``:above`` look
resources up there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any

from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models

from openror.fhir.search_params import SearchParam
from openror.fhir.search_values import (
    HIGHEST,
    LOWEST,
    BadDate,
    canonical_quantity,
    date_range,
    normalize_text,
    words,
)
from openror.geo.current import current_gazetteer
from openror.geo.distance import haversine_km
from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Content,
    Correlated,
    Criterion,
    DateValue,
    Has,
    Match,
    Missing,
    Near,
    Not,
    NumberValue,
    ReferenceValue,
    StringValue,
    TokenValue,
    Value,
)
from openror.terminology import default_terminology

Json = dict[str, Any]
Store = Mapping[tuple[str, str], Json]
Token = tuple[str | None, str]  # (system or None when the value has none, code)

NOS = "https://mos.esante.gouv.fr/NOS/"
DEPARTEMENT_SYSTEM = NOS + "TRE_G09-DepartementOM/FHIR/TRE-G09-DepartementOM"
REGION_SYSTEM = NOS + "TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
#: a literal reference: [base/]Type/id[/_history/version]
_LITERAL = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")
#: HumanName and Address: the parts a string search looks into
_STRING_PARTS = ("text", "family", "given", "prefix", "suffix", "line", "city", "district",
                 "state", "postalCode", "country")


class NotModelled(NotImplementedError):
    """A criterion the oracle does not decide (``_content``)."""


# -- FHIRPath ----------------------------------------------------------------------------------

@cache
def _compiled(expression: str) -> Callable[..., list[Any]]:
    compiled: Callable[..., list[Any]] = fhirpath_compile(expression, models["r4"])
    return compiled


_MEMO: dict[tuple[str, int], tuple[object, list[Any]]] = {}


def fhirpath(expression: str, node: Json) -> list[Any]:
    """What ``expression`` selects on a resource or on an element of one (memoised: the
    resources of a world do not change while it is searched)."""
    key = (expression, id(node))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    found = list(_compiled(expression)(node))
    _MEMO[key] = (node, found)
    return found


def _param_values(p: SearchParam, rtype: str, resource: Json) -> list[Any]:
    if p.name in ("departement", "region"):
        return _derived(p.name, resource)
    return fhirpath(p.full_expression, resource)


def _derived(name: str, resource: Json) -> list[Any]:
    """The département or region of the commune (ror-commune-cog), from the gazetteer."""
    out: list[Any] = []
    for system, code in _tokens(fhirpath(
            "extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/ror/"
            "StructureDefinition/ror-commune-cog').value", resource)):
        commune = current_gazetteer().current(code) if system is not None else None
        if commune is not None:
            out += [{"system": DEPARTEMENT_SYSTEM, "code": commune.departement}
                    if name == "departement" else {"system": REGION_SYSTEM,
                                                   "code": commune.region}]
    return out


# -- values as the specification reads them ----------------------------------------------------

def _codings(v: Json) -> list[Any]:
    """The Codings of a CodeableConcept, or the Coding itself."""
    if "coding" in v:
        return list(v["coding"] or [])
    return [v] if "code" in v else []


def _tokens(values: list[Any]) -> Iterator[Token]:
    """Coding, CodeableConcept, Identifier, code/uri/string and boolean as system|code."""
    for v in values:
        if isinstance(v, bool):
            yield None, "true" if v else "false"
        elif isinstance(v, str):
            yield None, v
        elif isinstance(v, dict):
            for c in _codings(v):
                if isinstance(c, dict) and isinstance(c.get("code"), str):
                    yield c.get("system"), c["code"]
            if "coding" not in v and "code" not in v and isinstance(v.get("value"), str):
                yield v.get("system"), v["value"]  # Identifier


def _token_hit(v: TokenValue, token: Token) -> bool:
    system, code = token
    if v.code is not None and code != v.code:
        return False
    if v.system is None:
        return True
    if v.system == "":
        return not system
    return system == v.system


def _of_type_hit(v: TokenValue, values: list[Any]) -> bool:
    """identifier:of-type=system|code|value: the identifier's type and its value."""
    assert v.code is not None
    type_code, _, wanted = v.code.partition("|")
    for ident in values:
        if not isinstance(ident, dict) or ident.get("value") != wanted:
            continue
        for c in (ident.get("type") or {}).get("coding") or []:
            if c.get("system") == v.system and c.get("code") == type_code:
                return True
    return False


def _labels(values: list[Any]) -> Iterator[str]:
    """The text associated with codes: CodeableConcept.text, Coding.display, and the label
    the NOS terminology gives the code (ROR codings often carry no display)."""
    for v in values:
        if not isinstance(v, dict):
            continue
        if isinstance(v.get("text"), str):
            yield v["text"]
        for c in _codings(v):
            if not isinstance(c, dict):
                continue
            if isinstance(c.get("display"), str):
                yield c["display"]
            if isinstance(c.get("code"), str):
                label = default_terminology().display(str(c.get("system") or ""), c["code"])
                if label:
                    yield label


def _text_hit(v: StringValue, values: list[Any]) -> bool:
    """:text: each word searched starts a word of some text associated with a code."""
    wanted = words(v.text)
    return bool(wanted) and any(
        all(any(word.startswith(w) for word in words(label)) for w in wanted)
        for label in _labels(values))


def _strings(values: list[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for key in _STRING_PARTS:
                part = v.get(key)
                yield from [part] if isinstance(part, str) else [
                    p for p in part or [] if isinstance(p, str)]


def _string_hit(modifier: str, v: StringValue, text: str) -> bool:
    if modifier == "exact":
        return text == v.text
    normal = normalize_text(text)
    if modifier == "contains":
        return v.text in normal
    if modifier == "ew":
        return normal.endswith(v.text)
    return normal.startswith(v.text)


def _ranges(values: list[Any]) -> Iterator[tuple[str, str]]:
    """dateTime, instant and Period as the instants they cover (fixed-width UTC text, so
    that text order is time order); a Period's missing end is open."""
    for v in values:
        try:
            if isinstance(v, str):
                yield date_range(v)
            elif isinstance(v, dict):
                yield (date_range(v["start"])[0] if v.get("start") else LOWEST,
                       date_range(v["end"])[1] if v.get("end") else HIGHEST)
        except BadDate:
            continue


def _date_hit(v: DateValue, low: str, high: str) -> bool:
    inside = low >= v.low and high <= v.high
    return {
        "eq": inside, "ne": not inside,
        "gt": high > v.high, "lt": low < v.low,
        "ge": high > v.high or inside, "le": low < v.low or inside,
        "sa": low > v.high, "eb": high < v.low,
        "ap": low <= v.high and high >= v.low,
    }[v.prefix]


def _number_hit(v: NumberValue, x: Decimal) -> bool:
    """eq/ne use the implicit range of the written precision; ap is within 10 %."""
    in_range = v.low <= x < v.high
    return {
        "eq": in_range, "ne": not in_range,
        "gt": x > v.value, "lt": x < v.value, "ge": x >= v.value, "le": x <= v.value,
        "sa": x > v.value, "eb": x < v.value,
        "ap": abs(x - v.value) <= abs(v.value) * Decimal("0.1"),
    }[v.prefix]


def _numbers(values: list[Any]) -> Iterator[Decimal]:
    for v in values:
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            yield Decimal(str(v))


def _quantity_hit(v: NumberValue, q: Any) -> bool:
    """Without a unit the number alone is compared, whatever the unit of the resource
    ("5.4: a value of 5.4 irrespective of the unit"); with one, both sides in the canonical
    UCUM unit, and the system when given."""
    if not isinstance(q, dict) or not isinstance(q.get("value"), (int, float, Decimal)):
        return False
    value = Decimal(str(q["value"]))
    if v.unit is None and v.system is None:
        return _number_hit(v, value)
    system = str(q.get("system") or "")
    canonical, unit = canonical_quantity(value, system, str(q.get("code") or q.get("unit") or ""))
    if v.unit is not None and unit != v.unit:
        return False
    if v.system is not None and system != v.system:
        return False
    return _number_hit(v, canonical)


def references(values: list[Any]) -> Iterator[tuple[str, str]]:
    for v in values:
        if isinstance(v, dict) and isinstance(v.get("reference"), str):
            m = _LITERAL.search(v["reference"])
            if m is not None:
                yield m.group(1), m.group(2)


# -- criteria ----------------------------------------------------------------------------------

def evaluate(c: Criterion, rtype: str, resource: Json, store: Store) -> bool:
    """Whether ``resource`` (of type ``rtype``) meets the criterion."""
    decide: Callable[[Any, str, Json, Store], bool] = _DECIDERS[type(c)]
    return decide(c, rtype, resource, store)


def _all_of(c: AllOf, rtype: str, resource: Json, store: Store) -> bool:
    return all(evaluate(i, rtype, resource, store) for i in c.items)


def _any_of(c: AnyOf, rtype: str, resource: Json, store: Store) -> bool:
    return any(evaluate(i, rtype, resource, store) for i in c.items)


def _not(c: Not, rtype: str, resource: Json, store: Store) -> bool:
    return not evaluate(c.item, rtype, resource, store)


def _content(c: Content, rtype: str, resource: Json, store: Store) -> bool:
    raise NotModelled("_content")


def _match(m: Match, rtype: str, resource: Json, store: Store) -> bool:
    if m.modifier == "not":  # no value matches, resources without any value included
        return not _match(replace(m, modifier=""), rtype, resource, store)
    return _holds(m, _param_values(m.param, rtype, resource))


def _holds(m: Match, values: list[Any]) -> bool:
    """Some value of the resource meets some value of the search (comma = OR)."""
    return any(_value_holds(m, v, values) for v in m.values)


def _value_holds(m: Match, v: Value, values: list[Any]) -> bool:  # noqa: PLR0911
    kind, modifier = m.param.type, m.modifier
    if kind == "reference" and modifier == "identifier":
        assert isinstance(v, TokenValue)
        idents = [r.get("identifier") for r in values if isinstance(r, dict)]
        return any(_token_hit(v, t) for t in _tokens([i for i in idents if i]))
    if kind in ("token", "uri"):
        if modifier == "text":
            assert isinstance(v, StringValue)
            return _text_hit(v, values)
        assert isinstance(v, TokenValue)
        if modifier == "of-type":
            return _of_type_hit(v, values)
        if modifier in ("below", "above"):
            uri = v.code or ""
            return any(t.startswith(uri) if modifier == "below" else uri.startswith(t)
                       for _, t in _tokens(values))
        return any(_token_hit(v, t) for t in _tokens(values))
    if kind == "string":
        assert isinstance(v, StringValue)
        return any(_string_hit(modifier, v, s) for s in _strings(values))
    if kind == "date":
        assert isinstance(v, DateValue)
        return any(_date_hit(v, low, high) for low, high in _ranges(values))
    if kind == "number":
        assert isinstance(v, NumberValue)
        return any(_number_hit(v, x) for x in _numbers(values))
    if kind == "quantity":
        assert isinstance(v, NumberValue)
        return any(_quantity_hit(v, q) for q in values)
    assert kind == "reference" and isinstance(v, ReferenceValue)
    return any(rid == v.id and (v.type is None or t == v.type) for t, rid in references(values))


def _missing(m: Missing, rtype: str, resource: Json, store: Store) -> bool:
    return _absent(m, rtype, resource) == m.missing


def _absent(m: Missing, rtype: str, resource: Json) -> bool:
    p = m.param
    if p.name in ("_id", "_lastUpdated"):
        return False  # every stored resource has both
    if p.type == "special":
        return _position(resource) is None
    return not _param_values(p, rtype, resource)


def _correlated(c: Correlated, rtype: str, resource: Json, store: Store) -> bool:
    """One element of the group (one capacity record, one equipment…) meets every match; the
    matches on a sub-element (the limits of an equipment) all on the same one of its
    sub-elements."""
    plain = [m for m in c.matches if not m.param.subgroup]
    nested = [m for m in c.matches if m.param.subgroup]

    def holds_on(element: Json) -> bool:
        if not all(_holds(m, fhirpath(m.param.expression, element)) for m in plain):
            return False
        return not nested or any(
            all(_holds(m, fhirpath(m.param.expression, sub)) for m in nested)
            for sub in fhirpath(nested[0].param.subgroup, element) if isinstance(sub, dict))

    return any(holds_on(e) for e in fhirpath(c.matches[0].param.group_root, resource)
               if isinstance(e, dict))


def _position(resource: Json) -> tuple[float, float] | None:
    for pos in fhirpath("position", resource):
        if isinstance(pos, dict) and pos.get("latitude") is not None \
                and pos.get("longitude") is not None:
            return float(pos["latitude"]), float(pos["longitude"])
    return None


def _near(c: Near, rtype: str, resource: Json, store: Store) -> bool:
    position = _position(resource)
    return position is not None and haversine_km(c.lat, c.lon, *position) <= c.km


def _ancestors_or_self(rtype: str, resource: Json, store: Store) -> Iterator[Json]:
    seen: set[str] = set()
    current: Json | None = resource
    while current is not None and current["id"] not in seen:
        yield current
        seen.add(current["id"])
        parents = [store.get(ref) for ref in references(fhirpath("partOf", current))
                   if ref[0] == rtype]
        current = next((p for p in parents if p is not None), None)


def _chain(c: Chain, rtype: str, resource: Json, store: Store) -> bool:
    """A resource it refers to through the parameter meets the inner criterion; with
    ``:above``, that resource or one it is part of does."""
    for target_type, target_id in references(_param_values(c.param, rtype, resource)):
        target = store.get((target_type, target_id))
        if target_type != c.target or target is None:
            continue
        candidates = _ancestors_or_self(c.target, target, store) if c.above else iter([target])
        if any(evaluate(c.inner, c.target, t, store) for t in candidates):
            return True
    return False


def _has(c: Has, rtype: str, resource: Json, store: Store) -> bool:
    """Some resource of the source type refers to this one and meets the inner criterion."""
    me = (rtype, resource["id"])
    return any(
        me in set(references(_param_values(c.param, source_type, source)))
        and evaluate(c.inner, source_type, source, store)
        for (source_type, _), source in store.items() if source_type == c.source)


_DECIDERS: dict[type, Callable[[Any, str, Json, Store], bool]] = {
    AllOf: _all_of, AnyOf: _any_of, Not: _not, Match: _match, Missing: _missing,
    Correlated: _correlated, Near: _near, Chain: _chain, Has: _has, Content: _content}


def matching_ids(c: Criterion, rtype: str, store: Store) -> set[str]:
    """The ids of the stored resources of ``rtype`` that meet ``c``."""
    return {rid for (t, rid), body in store.items()
            if t == rtype and evaluate(c, rtype, body, store)}
