"""The statement of a whole search: matching ids, with their distance and text score, in the
requested order (then by id, so that the order is total and paging is stable)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.fhir.search_params import param
from openror.search import scope
from openror.search.model import (
    AllOf,
    Chain,
    Content,
    Criterion,
    Drive,
    Near,
    Query,
    Resolved,
    SortKey,
)
from openror.search.sql import TABLE_OF, all_of, content_scores, distance_km
from openror.store.schema import resource
from openror.store.search_tables import search_geo, search_ref


def statement(q: Query) -> sa.Select[Any]:
    """Columns: id, version, distance (km or NULL), score (or NULL)."""
    near = near_path(q.criteria)
    content = next((c for c in q.criteria.items if isinstance(c, Content)), None)
    matches = all_of(q.rtype, AllOf(tuple(i for i in q.criteria.items if i is not content)))
    score: Any = sa.null()
    if content:  # the words' matches, scored, joined to the rest
        scored = content_scores(q.rtype, content)
        matches = matches.join_from(resource, scored, scored.c.id == resource.c.id)
        score = scored.c.score
    # ordered by the labels: by the expressions, the database would compute them twice
    distance = (_distance(q.rtype, *near) if near else sa.null()).label("distance")
    score = score.label("score")
    order: list[Any] = [_sort_expression(q.rtype, k) for k in q.sort]
    if not order and near:
        order.append(distance.asc())
    if not order and content:
        order.append(score.desc())
    order.append(resource.c.id)
    return matches.add_columns(resource.c.version, distance, score).order_by(*order)


def near_path(criteria: AllOf) -> tuple[tuple[str, ...], Near] | None:
    """Where the near criterion sits: on the resource, or one reference away."""
    for item in map(_original, criteria.items):
        if isinstance(item, Near):
            return (), item
        if not isinstance(item, Chain):
            continue
        inner = _original(item.inner)
        if isinstance(inner, Near):
            return (item.param.name,), inner
        if isinstance(inner, AllOf):
            found = near_path(inner)
            if found is not None and not found[0]:
                return (item.param.name,), found[1]
    return None


def _original(c: Criterion) -> Criterion:
    if isinstance(c, Resolved):
        return c.original
    return c.item if isinstance(c, Drive) else c


def _distance(rtype: str, refs: tuple[str, ...], near: Near) -> Any:
    g = search_geo
    km = sa.func.min(distance_km(g.c.lat, g.c.lon, near))
    if not refs:
        return sa.select(km).where(g.c.type == rtype, g.c.id == resource.c.id).scalar_subquery()
    r = search_ref
    # the nearest place the caller may see: a hidden one must not even order the results
    return sa.select(km).select_from(r.join(g, sa.and_(
        g.c.type == r.c.target_type, g.c.id == r.c.target_id))).where(
        r.c.type == rtype, r.c.id == resource.c.id, r.c.param == refs[0],
        *scope.visible_of_types(_target_types(rtype, refs[0]), r.c.target_type,
                                r.c.target_id)).scalar_subquery()


def _target_types(rtype: str, name: str) -> tuple[str, ...]:
    p = param(rtype, name)
    assert p is not None
    return tuple(p.targets)


def _sort_expression(rtype: str, key: SortKey) -> Any:
    current, owners = rtype, None
    for name in key.path[:-1]:
        p = param(current, name)
        assert p is not None
        owners = _targets(current, name, owners)
        current = p.targets[0]
    expression = _value_of(current, key.path[-1], owners, key.descending)
    return (expression.desc() if key.descending else expression.asc()).nulls_last()


def _targets(rtype: str, name: str, owners: Any) -> Any:
    r = search_ref
    owner = resource.c.id if owners is None else None
    query = sa.select(r.c.target_id).where(
        r.c.type == rtype, r.c.param == name,
        *scope.visible_of_types(_target_types(rtype, name), r.c.target_type, r.c.target_id))
    if owner is not None:  # nested two levels deep: say explicitly what it correlates to
        return query.where(r.c.id == owner).correlate(resource)
    return query.where(r.c.id.in_(owners))


_SORT_COLUMN = {"token": "code", "uri": "code", "string": "value", "number": "value",
                "quantity": "value"}


def _value_of(rtype: str, name: str, owners: Any, descending: bool) -> Any:
    agg = sa.func.max if descending else sa.func.min
    if name == "_id":
        return resource.c.id if owners is None else sa.select(agg(owners.subquery().c.target_id)
                                                              ).scalar_subquery()
    if name == "_lastUpdated":
        if owners is None:
            return resource.c.last_updated
        other = resource.alias("sorted")
        return sa.select(agg(other.c.last_updated)).where(
            other.c.type == rtype, other.c.id.in_(owners)).scalar_subquery()
    p = param(rtype, name)
    assert p is not None
    t = TABLE_OF[p.type]
    # dates: the latest end when descending, the earliest start otherwise
    column = t.c[_SORT_COLUMN.get(p.type) or ("high" if descending else "low")]
    query = sa.select(agg(column)).where(t.c.type == rtype, t.c.param == name)
    query = query.where(t.c.id == resource.c.id) if owners is None \
        else query.where(t.c.id.in_(owners))
    return query.scalar_subquery()
