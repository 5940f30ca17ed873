"""Proof of sameness: a digest per region and resource type, drilled down to buckets of ids
and to per-resource hashes (docs/api/federation.md).

A resource's hash is the SHA-256 of its canonical JSON (keys sorted, no insignificant
space) without ``meta.versionId`` and ``meta.lastUpdated``, which every instance sets for
itself on write; everything else — id, region tag, functional identifiers, creation date,
content — must be the same on both sides. A set's digest is the SHA-256 of its sorted lines
``<id> <hash>``. The source computes them over what the calling client may read, as the read
policy would serve it; the follower over the resources it holds from that source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openror.access.caller import Caller
from openror.store import read_policy, visibility
from openror.store.federation_tables import federation_owner
from openror.store.schema import resource

ALGORITHM = "sha256-canonical-json-without-meta-versionId-lastUpdated"
_STREAM = 500


@dataclass(frozen=True)
class Entry:
    region: str
    id: str
    version: int
    hash: str

    @property
    def bucket(self) -> str:
        return bucket_of(self.id)


@dataclass(frozen=True)
class SetDigest:
    count: int
    digest: str


def canonical_hash(content: bytes) -> str:
    body = orjson.loads(content)
    meta = body.get("meta")
    if isinstance(meta, dict):
        meta = {k: v for k, v in meta.items() if k not in ("versionId", "lastUpdated")}
        if meta:
            body["meta"] = meta
        else:
            del body["meta"]
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def bucket_of(rid: str) -> str:
    """One of 256 buckets, by the first byte of the id's SHA-256."""
    return hashlib.sha256(rid.encode()).hexdigest()[:2]


def digest_of(entries: Iterable[Entry]) -> SetDigest:
    lines = sorted(f"{e.id} {e.hash}\n" for e in entries)
    return SetDigest(len(lines), hashlib.sha256("".join(lines).encode()).hexdigest())


def grouped(entries: Iterable[Entry], key: Any) -> dict[str, SetDigest]:
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(key(entry), []).append(entry)
    return {name: digest_of(members) for name, members in sorted(groups.items())}


def served(conn: sa.Connection, caller: Caller, rtype: str, region: str | None = None,
           bucket: str | None = None) -> Iterator[Entry]:
    """The live resources of ``rtype`` the caller may read, hashed as it would be served
    them (the source's side)."""
    r = resource
    stmt = _live(rtype, region)
    seen = visibility.visible(rtype, caller, r.c.id)
    if seen is not None:
        stmt = stmt.where(seen)
    for rid, version, where, content in _stream(conn, stmt):
        if bucket is not None and bucket_of(rid) != bucket:
            continue
        shown = read_policy.shown(conn, caller, rtype, rid, bytes(content))
        yield Entry(where or "", rid, int(version), canonical_hash(shown))


def held_from(conn: sa.Connection, source: str, rtype: str, region: str | None = None,
              bucket: str | None = None) -> Iterator[Entry]:
    """The live resources of ``rtype`` this instance holds from ``source`` (the follower's
    side)."""
    fo = federation_owner
    stmt = _live(rtype, region).join(fo, sa.and_(fo.c.type == resource.c.type,
                                                 fo.c.id == resource.c.id)).where(
        fo.c.source == source)
    for rid, version, where, content in _stream(conn, stmt):
        if bucket is None or bucket_of(rid) == bucket:
            yield Entry(where or "", rid, int(version), canonical_hash(bytes(content)))


def _live(rtype: str, region: str | None) -> sa.Select[Any]:
    r = resource
    stmt = sa.select(r.c.id, r.c.version, r.c.region, r.c.content).where(
        r.c.type == rtype, r.c.deleted.is_(False))
    if region is not None:
        stmt = stmt.where(r.c.region == region) if region else stmt.where(r.c.region.is_(None))
    return stmt


def _stream(conn: sa.Connection, stmt: sa.Select[Any]) -> Iterator[Any]:
    result = conn.execution_options(stream_results=True, yield_per=_STREAM).execute(stmt)
    yield from result
