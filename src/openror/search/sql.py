"""Criteria to SQL: each criterion becomes a query of the ids of the resources it holds for.

The same statements run on SQLite and PostgreSQL (both have the math functions the distance
needs, and bytewise text order on the range-scanned columns). Index rows exist only for live
resources, so only the outer query and negations look at ``resource.deleted``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeGuard

import sqlalchemy as sa

from openror.fhir.search_params import SearchParam
from openror.fhir.search_values import prefix_upper_bound
from openror.geo.distance import EARTH_RADIUS_KM
from openror.search import capacity, scope
from openror.search.conditions import date_condition, number_condition, token_condition
from openror.search.id_lists import among_ids
from openror.search.labels import codes_labelled
from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Content,
    Correlated,
    Criterion,
    DateValue,
    Drive,
    Has,
    Match,
    Missing,
    Near,
    Not,
    NumberValue,
    OfferCapacity,
    ReferenceValue,
    Resolved,
    StringValue,
    TokenValue,
    Value,
)
from openror.search.offer_capacity import offer_ids
from openror.store.schema import resource
from openror.store.search_rows import SUBGROUPS
from openror.store.search_tables import (
    CELL_ROW,
    CELLS_PER_DEGREE,
    geo_cell,
    search_date,
    search_geo,
    search_number,
    search_ref,
    search_string,
    search_token,
    search_word,
)

TABLE_OF = {"token": search_token, "uri": search_token, "string": search_string,
            "date": search_date, "number": search_number, "quantity": search_number,
            "reference": search_ref}
Ids = sa.Select[Any]


def live_ids(rtype: str) -> Ids:
    return sa.select(resource.c.id).where(resource.c.type == rtype,
                                          resource.c.deleted.is_(False))


def matching(rtype: str, c: Criterion) -> Ids:
    """The ids of live ``rtype`` resources for which ``c`` holds."""
    compile_: Callable[[str, Any], Ids] = _COMPILERS[type(c)]
    return compile_(rtype, c)


def all_of(rtype: str, c: AllOf) -> Ids:
    """Conditions on the resource row itself (``_id``, ``_lastUpdated``) apply to it directly.
    When a list of ids bounds the candidates (``_id``, or a small set resolved by
    ``groups``), the plan starts from it and probes each candidate for the other criteria;
    otherwise each criterion is a set of ids the database intersects."""
    on_row = [i for i in c.items if _on_row(i)]
    others = [i for i in c.items if not _on_row(i)]
    bounded = any(isinstance(i, (Resolved, Drive)) or (isinstance(i, Match) and _on_row(i)
                                                       and i.param.name == "_id")
                  for i in c.items)
    test = probe if bounded else holds
    return live_ids(rtype).where(*(_resource_column(m) for m in on_row if isinstance(m, Match)),
                                 *(test(rtype, i, resource.c.id) for i in others),
                                 *scope.visible(rtype, resource.c.id))


def index_only(rtype: str, c: AllOf) -> Ids | None:
    """The matches of a single criterion held by index rows, read from those alone (no
    lookup of each resource: index rows exist only for live resources): to count them
    (12,513 offers of an activity with a free bed: 24 → 6 ms on SQLite). None for other
    criteria, and for a caller who may not see every resource."""
    if len(c.items) != 1 or scope.visible(rtype, resource.c.id):
        return None
    item = c.items[0]
    if isinstance(item, (Correlated, OfferCapacity)) or _has_rows(item):
        return matching(rtype, item).distinct()
    return None


def _on_row(c: Criterion) -> bool:
    return isinstance(c, Match) and c.param.name in ("_id", "_lastUpdated") and not c.modifier


def holds(rtype: str, c: Criterion, owner: Any) -> sa.ColumnElement[bool]:
    """``c`` holds for the resource whose id is ``owner`` (a column of the enclosing query)."""
    if isinstance(c, Correlated):  # probed per candidate: see _correlated_join
        return sa.exists(_correlated_join(rtype, c, owner))
    if isinstance(c, Resolved):
        return among_ids(owner, c.ids)
    if (negated := _negated_rows(c)) is not None:
        # the candidate's own rows, rather than every resource the negated criterion holds
        # for (an age range's bound: hundreds of thousands of offers)
        return sa.and_(*(~_row_exists(rtype, m, owner) for m in negated))
    return owner.in_(matching(rtype, c))  # type: ignore[no-any-return]


def _negated_rows(c: Criterion) -> list[Match] | None:
    """The criteria negated in ``not (p gt v)``, alone or in an ``and`` of such (a
    ``_filter``), when each is held by index rows; None for any other criterion."""
    items = c.items if isinstance(c, AllOf) else (c,)
    negated = [i.item for i in items if isinstance(i, Not) and _has_rows(i.item)]
    return negated if items and len(negated) == len(items) else None


def probe(rtype: str, c: Criterion, owner: Any) -> sa.ColumnElement[bool]:
    """Like ``holds``, as index lookups for the one resource ``owner`` where a criterion
    allows it, rather than a set of ids computed whole: for few candidates."""
    if isinstance(c, Drive):
        return holds(rtype, c.item, owner)
    if isinstance(c, AllOf):
        return sa.and_(*(probe(rtype, i, owner) for i in c.items))
    if _has_rows(c):
        return _row_exists(rtype, c, owner)
    if (one := _PROBES.get(type(c))) is not None:
        return one(rtype, c, owner)
    if isinstance(c, Chain) and not c.above:
        r = search_ref.alias()
        return sa.exists(sa.select(r.c.id).where(
            r.c.type == rtype, r.c.id == owner, r.c.param == c.param.name,
            r.c.target_type == c.target, probe(c.target, c.inner, r.c.target_id),
            *scope.visible(c.target, r.c.target_id)))
    return holds(rtype, c, owner)


def _offer_capacity_holds(_rtype: str, c: OfferCapacity, owner: Any
                          ) -> sa.ColumnElement[bool]:
    return sa.exists(offer_ids(c, owner))


def _has_rows(c: Criterion) -> TypeGuard[Match]:
    """A parameter held by index rows of the resource (not read on its own row)."""
    return isinstance(c, Match) and c.modifier != "not" \
        and c.param.name not in ("_id", "_lastUpdated")


def _row_exists(rtype: str, m: Match, owner: Any) -> sa.ColumnElement[bool]:
    table = _table_for(m).alias()
    _, condition = _condition(rtype, m, table)
    return sa.exists(sa.select(table.c.id).where(condition, table.c.id == owner))


def _any_of(rtype: str, c: AnyOf) -> Ids:
    return sa.select(sa.union(*(matching(rtype, i) for i in c.items)).subquery().c.id)


def _not(rtype: str, c: Not) -> Ids:
    return live_ids(rtype).where(resource.c.id.not_in(matching(rtype, c.item)))


# -- one parameter ---------------------------------------------------------------------------

def _match(rtype: str, m: Match) -> Ids:
    if m.modifier == "not":
        positive = Match(m.param, "", m.values)
        return live_ids(rtype).where(resource.c.id.not_in(_match(rtype, positive)))
    if m.param.name in ("_id", "_lastUpdated"):
        return live_ids(rtype).where(_resource_column(m))
    table, condition = _condition(rtype, m)
    return sa.select(table.c.id).where(condition)


def _table_for(m: Match) -> Any:
    """The index table of the parameter's rows (a reference's identifiers are tokens)."""
    if m.param.type == "reference" and m.modifier == "identifier":
        return search_token
    return TABLE_OF[m.param.type]


def _condition(rtype: str, m: Match, table: Any = None) -> tuple[Any, sa.ColumnElement[bool]]:
    p = m.param
    t = table if table is not None else _table_for(m)
    if p.type == "reference" and m.modifier == "identifier":
        param_name = f"{p.name}:identifier"
    else:
        param_name = "identifier:of-type" if m.modifier == "of-type" else p.name
    values = _coded(t, m.values)
    if values is None:
        values = sa.or_(*(_value(t, p, m.modifier, v) for v in m.values))
    return t, sa.and_(t.c.type == rtype, t.c.param == param_name, values)


def _coded(t: Any, values: tuple[Value, ...]) -> sa.ColumnElement[bool] | None:
    """``system|code`` values as IN lists that follow the index (type, param, code, system):
    an OR of (code, system) pairs sharing a code is read by SQLite as every row of that
    code, whatever its system (« 04 » of every characteristic). None: not all such pairs."""
    by_code: dict[str, set[str]] = {}
    for v in values:
        if not isinstance(v, TokenValue) or v.code is None or v.system is None:
            return None
        by_code.setdefault(v.code, set()).add(v.system)
    if len(values) < 2:
        return None
    systems = {frozenset(found) for found in by_code.values()}
    if len(systems) == 1:
        return sa.and_(t.c.code.in_(sorted(by_code)), t.c.system.in_(sorted(systems.pop())))
    return sa.or_(*(sa.and_(t.c.code == code, t.c.system.in_(sorted(found)))
                    for code, found in sorted(by_code.items())))


def _value(t: Any, p: SearchParam, modifier: str, v: Value) -> sa.ColumnElement[bool]:
    if isinstance(v, TokenValue):
        return token_condition(t, v)
    if isinstance(v, StringValue):
        return _labels(t, v) if p.type in ("token", "uri") else _string(t, modifier, v)
    if isinstance(v, DateValue):
        return date_condition(t.c.low, t.c.high, v.prefix, v.low, v.high)
    if isinstance(v, NumberValue):
        return _quantity(t, v)
    assert isinstance(v, ReferenceValue)
    found = t.c.target_id == v.id
    return sa.and_(found, t.c.target_type == v.type) if v.type else found


def _labels(t: Any, v: StringValue) -> sa.ColumnElement[bool]:
    by_system: dict[str, list[str]] = {}
    for system, code in codes_labelled(v.text):
        by_system.setdefault(system, []).append(code)
    if not by_system:
        return sa.false()
    # one IN list per system: a list of (system, code) pairs is parsed by PostgreSQL into
    # nested ORs that exhaust its stack for a short, common word
    return sa.or_(*(sa.and_(t.c.system == system, t.c.code.in_(codes))
                    for system, codes in sorted(by_system.items())))


def _string(t: Any, modifier: str, v: StringValue) -> sa.ColumnElement[bool]:
    if modifier == "exact":
        return t.c.exact == v.text  # type: ignore[no-any-return]
    escaped = v.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if modifier == "contains":
        return t.c.value.like(f"%{escaped}%", escape="\\")  # type: ignore[no-any-return]
    if modifier == "ew":
        return t.c.value.like(f"%{escaped}", escape="\\")  # type: ignore[no-any-return]
    return sa.and_(t.c.value >= v.text, t.c.value < prefix_upper_bound(v.text))


def _quantity(t: Any, v: NumberValue) -> sa.ColumnElement[bool]:
    """With a unit: the canonical values of that unit; without: the number as written."""
    if not v.unit:
        found = number_condition(t.c.raw, v)
        return sa.and_(found, t.c.system == v.system) if v.system else found
    found = sa.and_(number_condition(t.c.value, v), t.c.unit == v.unit)
    return sa.and_(found, t.c.system == v.system) if v.system else found


def _resource_column(m: Match) -> sa.ColumnElement[bool]:
    if m.param.name == "_id":
        return resource.c.id.in_([v.code for v in m.values if isinstance(v, TokenValue)])
    parts = []
    for v in m.values:
        assert isinstance(v, DateValue)
        # a timestamp column: compared with timestamps (naive UTC), not text
        parts.append(date_condition(resource.c.last_updated, resource.c.last_updated, v.prefix,
                                    datetime.fromisoformat(v.low),
                                    datetime.fromisoformat(v.high)))
    return sa.or_(*parts)


def _missing(rtype: str, m: Missing) -> Ids:
    p = m.param
    if p.name in ("_id", "_lastUpdated"):  # every resource has them
        return live_ids(rtype).where(sa.false() if m.missing else sa.true())
    having: Any
    if p.type == "special":
        having = sa.select(search_geo.c.id).where(search_geo.c.type == rtype)
    else:
        table = TABLE_OF[p.type]
        having = sa.select(table.c.id).where(table.c.type == rtype, table.c.param == p.name)
    if p.type == "reference":  # a reference may hold only an identifier
        having = sa.union(having, sa.select(search_token.c.id).where(
            search_token.c.type == rtype, search_token.c.param == f"{p.name}:identifier"))
    if not m.missing:
        return live_ids(rtype).where(resource.c.id.in_(having))
    return live_ids(rtype).where(resource.c.id.not_in(having))


def _correlated_join(rtype: str, c: Correlated, owner: Any = None) -> Ids:
    """One alias of the index table per match, all on the same resource and element; those
    with a sub-element (an equipment's limit) also on the same sub-element. With ``owner``,
    only that resource: a few index lookups per candidate of the enclosing query. Capacity
    groups read one typed row instead (``search.capacity``)."""
    if capacity.typed(c):
        return capacity.capacity_ids(rtype, c, owner)
    aliases = [_table_for(m).alias(f"g{i}") for i, m in enumerate(c.matches)]
    conditions = [_condition(rtype, m, a)[1] for m, a in zip(c.matches, aliases, strict=True)]
    first = aliases[0]
    subs = [a for m, a in zip(c.matches, aliases, strict=True) if m.param.subgroup]
    for alias in aliases[1:]:
        conditions += [alias.c.id == first.c.id,
                       alias.c.grp // SUBGROUPS == first.c.grp // SUBGROUPS]
    conditions += [alias.c.grp == subs[0].c.grp for alias in subs[1:]]
    if owner is not None:
        conditions.append(first.c.id == owner)
    return sa.select(first.c.id).select_from(*aliases).where(*conditions)


def correlated_ids(rtype: str, c: Correlated) -> Ids:
    """The ids the group matches (with repeats), for ``groups.resolve`` to count."""
    return _correlated_join(rtype, c)


def _correlated(rtype: str, c: Correlated) -> Ids:
    """The whole set (under a negation or a union), computed once: PostgreSQL underestimates
    this join and would otherwise re-run it for every candidate of an enclosing query."""
    table = _correlated_join(rtype, c).distinct().cte().prefix_with("MATERIALIZED")
    return sa.select(table.c.id)


# -- geography and text ----------------------------------------------------------------------

def distance_km(lat: Any, lon: Any, near: Near) -> Any:
    """Great-circle distance, the same haversine as ``geo.distance`` (in SQL)."""
    dlat = sa.func.radians(lat - near.lat) / 2
    dlon = sa.func.radians(lon - near.lon) / 2
    h = (sa.func.sin(dlat) * sa.func.sin(dlat) + math.cos(math.radians(near.lat))
         * sa.func.cos(sa.func.radians(lat)) * sa.func.sin(dlon) * sa.func.sin(dlon))
    return 2 * EARTH_RADIUS_KM * sa.func.asin(sa.func.sqrt(h))


#: no two points of the Earth are farther apart (great-circle)
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


def bounding_box(near: Near) -> tuple[float, float, float, float]:
    """Latitude and longitude bounds that contain the circle (with a margin)."""
    dlat = near.km / 110.5 + 1e-6
    cos_lat = max(math.cos(math.radians(near.lat)) - math.sin(math.radians(dlat)), 0.01)
    dlon = min(near.km / (111.0 * cos_lat) + 1e-6, 180.0)
    return near.lat - dlat, near.lat + dlat, near.lon - dlon, near.lon + dlon


def _near(rtype: str, near: Near) -> Ids:
    """The whole set, computed once: PostgreSQL may otherwise rescan the cells for every
    candidate of an enclosing query when it underestimates how many there are."""
    table = near_ids(rtype, near).cte().prefix_with("MATERIALIZED")
    return sa.select(table.c.id)


def near_holds(rtype: str, near: Near, owner: Any) -> sa.ColumnElement[bool]:
    """The resource ``owner`` has a position within the distance: its own few positions
    looked up by id, for a plan driven by another criterion."""
    g = search_geo.alias()
    inside: list[Any] = [g.c.type == rtype, g.c.id == owner]
    if near.km < HALF_CIRCUMFERENCE_KM:  # else every position is within it
        south, north, west, east = bounding_box(near)
        inside += [g.c.lat.between(south, north), g.c.lon.between(west, east),
                   distance_km(g.c.lat, g.c.lon, near) <= near.km]
    return sa.exists(sa.select(g.c.id).where(*inside))


def near_ids(rtype: str, near: Near) -> Ids:
    """The ids of the positions within the distance (for ``groups`` to count, and ``_near``)."""
    g = search_geo
    south, north, west, east = bounding_box(near)
    inside = [g.c.type == rtype, g.c.lat.between(south, north), g.c.lon.between(west, east),
              distance_km(g.c.lat, g.c.lon, near) <= near.km]
    rows = _cell_rows(south, north, west, east)
    if not rows:  # a wide circle, or one across the antimeridian: a band of latitude
        return sa.select(g.c.id).where(*inside)
    cell = geo_cell(g.c.lat, g.c.lon)
    parts = [sa.select(g.c.id).where(cell.between(first, last), *inside) for first, last in rows]
    return parts[0] if len(parts) == 1 else sa.select(sa.union_all(*parts).subquery().c.id)


#: beyond this many rows of cells (about 400 km across), one band of latitude is cheaper
MAX_CELL_ROWS = 40


def _cell_rows(south: float, north: float, west: float, east: float) -> list[tuple[int, int]]:
    """Per row of grid cells the box spans, its first and last cell (``geo_cell``)."""
    if west < -180 or east > 180:
        return []
    n = CELLS_PER_DEGREE
    first_row, last_row = math.floor((south + 90) * n), math.floor((north + 90) * n)
    if last_row - first_row >= MAX_CELL_ROWS:
        return []
    west_col, east_col = math.floor((west + 180) * n), math.floor((east + 180) * n)
    return [(row * CELL_ROW + west_col, row * CELL_ROW + east_col)
            for row in range(first_row, last_row + 1)]


def _content(rtype: str, c: Content) -> Ids:
    w = search_word
    per_term = [sa.select(w.c.id).where(w.c.type == rtype, w.c.word >= t,
                                        w.c.word < prefix_upper_bound(t)) for t in c.terms]
    if len(per_term) == 1:
        return per_term[0]
    return sa.select(sa.intersect(*per_term).subquery().c.id)


def content_scores(rtype: str, c: Content) -> Any:
    """The resources every term prefixes a word of, with their score: the sum over the terms
    of the best weight of a word the term prefixes. One pass over the words' index, grouped;
    scoring each match apart was a lookup per match (78,852 for ``psychiatrie``)."""
    w = search_word
    per_term = [sa.select(w.c.id, sa.func.max(w.c.weight).label("score")).where(
        w.c.type == rtype, w.c.word >= t, w.c.word < prefix_upper_bound(t)).group_by(w.c.id)
        for t in c.terms]
    if len(per_term) == 1:
        return per_term[0].subquery("scored")
    each = sa.union_all(*per_term).subquery("per_term")
    return sa.select(each.c.id, sa.func.sum(each.c.score).label("score")).group_by(
        each.c.id).having(sa.func.count() == len(per_term)).subquery("scored")


# -- references --------------------------------------------------------------------------------

def _chain(rtype: str, c: Chain) -> Ids:
    r = search_ref
    found = sa.select(r.c.id).where(r.c.type == rtype, r.c.param == c.param.name,
                                    r.c.target_type == c.target,
                                    *scope.visible(c.target, r.c.target_id))
    if not c.above:
        return found.where(holds(c.target, c.inner, r.c.target_id))
    roots = matching(c.target, c.inner).subquery()
    visible_roots = sa.select(roots.c.id).where(*scope.visible(c.target, roots.c.id))
    return found.where(r.c.target_id.in_(descendants_or_self(c.target, visible_roots)))


def descendants_or_self(rtype: str, roots: Ids) -> Ids:
    """``roots`` and every resource below them through ``partof`` (organization:above)."""
    r = search_ref
    tree = roots.cte(f"tree_{rtype.lower()}", recursive=True, nesting=True)
    tree = tree.union(sa.select(r.c.id).where(
        r.c.type == rtype, r.c.param == "partof", r.c.target_type == rtype,
        r.c.target_id == tree.c.id))
    return sa.select(tree.c.id)


def _has(rtype: str, c: Has) -> Ids:
    r = search_ref
    return sa.select(r.c.target_id).where(r.c.type == c.source, r.c.param == c.param.name,
                                          r.c.target_type == rtype,
                                          r.c.id.in_(matching(c.source, c.inner)),
                                          *scope.visible(c.source, r.c.id))


def _drive(rtype: str, c: Drive) -> Ids:
    return matching(rtype, c.item)


def _resolved(rtype: str, c: Resolved) -> Ids:
    return sa.select(resource.c.id).where(resource.c.type == rtype,
                                          among_ids(resource.c.id, c.ids))


#: criteria with a lookup of their own for one candidate (``probe``)
_PROBES: dict[type, Callable[[str, Any, Any], sa.ColumnElement[bool]]] = {
    Near: near_holds,
    OfferCapacity: _offer_capacity_holds,
}

_COMPILERS: dict[type, Callable[[str, Any], Ids]] = {
    Match: _match, Correlated: _correlated, Missing: _missing, Near: _near, Content: _content,
    Chain: _chain, Has: _has, AnyOf: _any_of, Not: _not, AllOf: all_of, Resolved: _resolved,
    Drive: _drive, OfferCapacity: lambda _rtype, c: offer_ids(c),
}
