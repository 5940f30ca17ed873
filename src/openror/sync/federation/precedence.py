"""Who may write a federated resource: the declared precedence of the sources
(docs/admin/federation.md, "Conflicts and precedence").

Every federated resource has an owner: the source whose version it holds
(``federation_owner``). A resource without an owner was made here (a local one). A change a
source offers is applied when the resource (found by type and id, or by the functional
identifier of an offer or place) is free, already its own, or owned by a source of lower
precedence; it is held otherwise: by a source of higher or equal precedence (the first one
keeps it), or by a local resource. A lower-precedence source's resource that carries the
same functional identifier under another id is deleted in favour of the winner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from openror.services.metadata import functional_identifier
from openror.store.dialect import among
from openror.store.federation_tables import federation_owner
from openror.store.schema import identifier_index, resource
from openror.sync.federation.feed_page import Change

Key = tuple[str, str]
_KINDS = {"HealthcareService": "offer", "Location": "place"}


@dataclass
class Verdict:
    change: Change
    take: bool  # apply it (a deletion: only when this source owns the resource)
    reason: str = ""  # why it is held (empty: taken, or a deletion of what is not ours)
    displace: list[Key] = field(default_factory=list)  # lower sources' duplicates to delete


def functional_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """(system, value) of an offer's or place's functional identifier."""
    kind = _KINDS.get(str(body.get("resourceType")))
    if kind is None:
        return None
    ident = functional_identifier(body, kind)
    if ident is None and kind == "offer":  # an offer's one identifier is its functional id
        idents = body.get("identifier") or []
        ident = idents[0] if idents and isinstance(idents[0], dict) else None
    if ident is None or not isinstance(ident.get("value"), str):
        return None
    system = ident.get("system")
    return (system if isinstance(system, str) else "", ident["value"])


class Judge:
    """Decides the changes of one page of ``source``, with the state read once."""

    def __init__(self, conn: sa.Connection, source: str, ranks: dict[str, int],
                 changes: list[Change]) -> None:
        self.source, self.ranks = source, ranks
        self.rank = ranks.get(source, 0)
        keys = {(c.type, c.id) for c in changes}
        self.twins = _twins(conn, changes)
        wanted = keys | {k for ids in self.twins.values() for k in ids}
        self.owners = owners_of(conn, wanted)
        self.live = live_of(conn, wanted)

    def verdict(self, change: Change) -> Verdict:
        key = (change.type, change.id)
        owner = self.owners.get(key)
        if change.body is None:
            return Verdict(change, take=owner == self.source)
        held = self._held(key, owner, "")
        if held:
            return Verdict(change, take=False, reason=held)
        displace: list[Key] = []
        for twin in self.twins.get(key, ()):
            twin_owner = self.owners.get(twin)
            if twin_owner == self.source:
                continue  # the source's own business
            held = self._held(twin, twin_owner, " with the same functional identifier")
            if held:
                return Verdict(change, take=False, reason=held)
            displace.append(twin)
        return Verdict(change, take=True, displace=displace)

    def _held(self, key: Key, owner: str | None, how: str) -> str:
        name = f"{key[0]}/{key[1]}"
        if owner is None:
            return f"a local resource {name}{how} exists" if key in self.live else ""
        if owner == self.source or self.ranks.get(owner, -1) < self.rank:
            return ""  # a removed source's or a lower one's: taken over
        return (f"{name}{how} comes from source {owner} of precedence "
                f"{self.ranks.get(owner)} (this one: {self.rank})")


def owners_of(conn: sa.Connection, keys: Iterable[Key]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    fo = federation_owner
    for rtype, ids in _by_type(keys).items():
        for rid, source in conn.execute(sa.select(fo.c.id, fo.c.source).where(
                fo.c.type == rtype, among(conn, fo.c.id, ids))):
            found[(rtype, rid)] = source
    return found


def live_of(conn: sa.Connection, keys: Iterable[Key]) -> set[Key]:
    found: set[Key] = set()
    r = resource
    for rtype, ids in _by_type(keys).items():
        found.update((rtype, rid) for (rid,) in conn.execute(sa.select(r.c.id).where(
            r.c.type == rtype, among(conn, r.c.id, ids), r.c.deleted.is_(False))))
    return found


def _twins(conn: sa.Connection, changes: list[Change]) -> dict[Key, list[Key]]:
    """Per change, the other live resources carrying its functional identifier."""
    wanted: dict[tuple[str, str, str], Key] = {}
    for change in changes:
        fkey = functional_key(change.body) if change.body is not None else None
        if fkey is not None:
            wanted[(change.type, *fkey)] = (change.type, change.id)
    found: dict[Key, list[Key]] = {}
    ii = identifier_index
    by_type: dict[str, list[str]] = {}
    for rtype, _system, value in wanted:
        by_type.setdefault(rtype, []).append(value)
    for rtype, values in by_type.items():
        rows = conn.execute(sa.select(ii.c.id, ii.c.system, ii.c.value).where(
            ii.c.type == rtype, among(conn, ii.c.value, sorted(set(values)))))
        for rid, system, value in rows:
            mine = wanted.get((rtype, system, value))
            if mine is not None and mine[1] != rid:
                found.setdefault(mine, []).append((rtype, rid))
    return found


def _by_type(keys: Iterable[Key]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for rtype, rid in keys:
        grouped.setdefault(rtype, []).append(rid)
    return {rtype: sorted(set(ids)) for rtype, ids in grouped.items()}
