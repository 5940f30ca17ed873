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
        wanted: set[Key] = set()
        for inc in includes:
            if round_ and not inc.iterate and inc.source == rtype:
                continue  # applies to the matches only
            wanted |= _reverse(conn, inc, frontier) if inc.reverse else _forward(conn, inc,
                                                                                  frontier)
        new = wanted - have
        if not new or len(added) >= MAX_INCLUDED:
            break
        fetched = _fetch(conn, sorted(new)[:MAX_INCLUDED - len(added)])
        added += fetched
        have |= new
        frontier = {(r.type, r.id) for r in fetched}
    return added


def _forward(conn: sa.Connection, inc: Include, frontier: set[Key]) -> set[Key]:
    ids = [rid for rtype, rid in frontier if rtype == inc.source]
    if not ids:
        return set()
    r = search_ref
    stmt = sa.select(r.c.target_type, r.c.target_id).where(
        r.c.type == inc.source, r.c.param == inc.param, r.c.id.in_(ids))
    if inc.target:
        stmt = stmt.where(r.c.target_type == inc.target)
    return {(t, i) for t, i in conn.execute(stmt)}


def _reverse(conn: sa.Connection, inc: Include, frontier: set[Key]) -> set[Key]:
    p = param(inc.source, inc.param)
    targets = {inc.target} if inc.target else set(p.targets if p else ())
    found: set[Key] = set()
    for target in targets:
        ids = [rid for rtype, rid in frontier if rtype == target]
        if not ids:
            continue
        r = search_ref
        stmt = sa.select(r.c.id).where(r.c.target_type == target, r.c.target_id.in_(ids),
                                       r.c.type == inc.source, r.c.param == inc.param)
        found |= {(inc.source, i) for (i,) in conn.execute(stmt)}
    return found


def _fetch(conn: sa.Connection, keys: list[Key]) -> list[Included]:
    by_type: dict[str, list[str]] = {}
    for rtype, rid in keys:
        by_type.setdefault(rtype, []).append(rid)
    out = []
    for rtype, ids in sorted(by_type.items()):
        rows = conn.execute(sa.select(resource.c.id, resource.c.content).where(
            resource.c.type == rtype, resource.c.id.in_(ids), resource.c.deleted.is_(False))
            .order_by(resource.c.id))
        out += [Included(rtype, rid, bytes(content)) for rid, content in rows]
    return out
