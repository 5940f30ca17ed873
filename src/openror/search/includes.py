"""``_include`` and ``_revinclude``, through the reference rows of the search index.

An include whose source is the searched type applies to the matches, and with ``:iterate``
also to what other includes brought in, until nothing new comes. An include whose source is
another type can only apply to included resources, so it does, as the ROR "full offer graph"
request expects (``_revinclude=PractitionerRole:service`` then
``_include=PractitionerRole:practitioner``, without ``:iterate``). Included resources are
served as they are now.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from openror.fhir.search_params import param
from openror.search import scope
from openror.search.id_lists import among_ids
from openror.search.model import Include
from openror.store.schema import resource
from openror.store.search_tables import search_ref

MAX_INCLUDED = 10_000
MAX_ROUNDS = 5

Key = tuple[str, str]


class Included(NamedTuple):
    type: str
    id: str
    content: bytes  # stored JSON


def include(conn: sa.Connection, rtype: str, includes: tuple[Include, ...], matches: set[Key]
            ) -> list[Included]:
    if not includes or not matches:
        return []
    have: set[Key] = set(matches)
    frontier = set(have)
    added: list[Included] = []
    for round_ in range(MAX_ROUNDS):
        found: dict[Key, bytes] = {}
        for inc in includes:
            if round_ and not inc.iterate and inc.source == rtype:
                continue  # applies to the matches only
            found.update(_reverse(conn, inc, frontier) if inc.reverse
                         else _forward(conn, inc, frontier))
        new = sorted(k for k in found if k not in have)[:MAX_INCLUDED - len(added)]
        if not new:
            break
        added += [Included(t, i, found[(t, i)]) for t, i in new]
        have.update(new)
        frontier = set(new)
    return added


# Each query returns the included resources themselves: one round trip per include and round.

def _forward(conn: sa.Connection, inc: Include, frontier: set[Key]) -> dict[Key, bytes]:
    ids = [rid for rtype, rid in frontier if rtype == inc.source]
    if not ids:
        return {}
    r = search_ref
    stmt = sa.select(resource.c.type, resource.c.id, resource.c.content).select_from(
        r.join(resource, sa.and_(resource.c.type == r.c.target_type,
                                 resource.c.id == r.c.target_id))).where(
        r.c.type == inc.source, r.c.param == inc.param, among_ids(r.c.id, ids),
        resource.c.deleted.is_(False),
        *scope.visible_of_types(_targets(inc), resource.c.type, resource.c.id))
    if inc.target:
        stmt = stmt.where(r.c.target_type == inc.target)
    return {(t, i): bytes(content) for t, i, content in conn.execute(stmt)}


def _targets(inc: Include) -> tuple[str, ...]:
    if inc.target:
        return (inc.target,)
    p = param(inc.source, inc.param)
    return tuple(p.targets) if p else ()


def _reverse(conn: sa.Connection, inc: Include, frontier: set[Key]) -> dict[Key, bytes]:
    targets = set(_targets(inc))
    found: dict[Key, bytes] = {}
    r = search_ref
    for target in sorted(targets):
        ids = [rid for rtype, rid in frontier if rtype == target]
        if not ids:
            continue
        stmt = sa.select(resource.c.id, resource.c.content).select_from(
            r.join(resource, sa.and_(resource.c.type == r.c.type, resource.c.id == r.c.id))
        ).where(r.c.target_type == target, among_ids(r.c.target_id, ids), r.c.type == inc.source,
                r.c.param == inc.param, resource.c.deleted.is_(False),
                *scope.visible(inc.source, resource.c.id))
        found.update({(inc.source, i): bytes(content) for i, content in conn.execute(stmt)})
    return found
