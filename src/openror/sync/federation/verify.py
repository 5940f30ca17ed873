"""``openror federate verify``: compare the source's digests (``GET /api/federation/digest``)
with this instance's, per region and resource type; where they differ, drill down to the
buckets and then the resources that differ, and (``repair``) re-fetch only those by vread,
applied through the same page writer as the feed, then compare again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openror.services.writes import WritePath
from openror.store import federation_sources
from openror.store.resources import utcnow
from openror.sync.federation import digest
from openror.sync.federation.apply import PageWriter, Tally
from openror.sync.federation.client import SourceClient
from openror.sync.federation.feed_page import FEDERATED_TYPES, Change
from openror.sync.federation.precedence import live_of, owners_of

DIGEST_PATH = "/api/federation/digest"
_REPAIR_CHUNK = 500


@dataclass
class Pair:
    """One region × type: the source's digest and ours; after drilling, what differs."""

    region: str
    type: str
    source: digest.SetDigest | None
    here: digest.SetDigest | None
    #: id -> the source's version (None: the source does not have it; delete here)
    differing: dict[str, int | None] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)  # another source's or local: not ours

    @property
    def equal(self) -> bool:
        return self.source == self.here

    def __str__(self) -> str:
        if self.equal:
            return f"{self.region} {self.type}: equal ({self.source.count if self.source else 0})"
        there = self.source.count if self.source else 0
        here = self.here.count if self.here else 0
        text = f"{self.region} {self.type}: different (source {there}, here {here})"
        if self.differing or self.held:
            text += f": {len(self.differing)} to re-fetch or delete"
        if self.held:
            text += f", {len(self.held)} held by precedence"
        return text


@dataclass
class VerifyReport:
    source: str
    pairs: list[Pair]
    after: list[Pair] | None = None  # after a repair
    repaired: Tally | None = None
    fetched: int = 0  # resources re-fetched

    @property
    def equal(self) -> bool:
        final = self.after if self.after is not None else self.pairs
        return all(p.equal for p in final)


ClientFactory = Callable[[federation_sources.SourceRow], SourceClient]


class Verifier:
    def __init__(self, writes: WritePath, name: str, *,
                 client: ClientFactory = SourceClient) -> None:
        self.writes, self.name, self.client = writes, name, client

    def run(self, repair: bool = False) -> VerifyReport:
        with self.writes.db.read_primary() as conn:
            row = federation_sources.need(conn, self.name)
        with self.client(row) as http:
            report = VerifyReport(self.name, self.compare(http))
            if repair and not report.equal:
                for pair in report.pairs:
                    if not pair.equal:
                        self.drill(http, pair)
                report.repaired, report.fetched = self.repair(http, report.pairs)
                report.after = self.compare(http)
        return report

    def compare(self, http: SourceClient) -> list[Pair]:
        answer = http.get_json(DIGEST_PATH)
        there = {(d["region"], d["type"]): digest.SetDigest(int(d["count"]), str(d["digest"]))
                 for d in answer.get("digests") or []}
        here: dict[tuple[str, str], digest.SetDigest] = {}
        with self.writes.db.read() as conn:
            for rtype in sorted(FEDERATED_TYPES):
                for region, found in digest.grouped(digest.held_from(conn, self.name, rtype),
                                                    lambda e: e.region).items():
                    here[(region, rtype)] = found
        return [Pair(region, rtype, there.get((region, rtype)), here.get((region, rtype)))
                for region, rtype in sorted(set(there) | set(here))]

    def drill(self, http: SourceClient, pair: Pair) -> None:
        """Fill ``pair.differing`` and ``pair.held``: buckets first, then resources, only
        where the digests differ."""
        where = {"type": pair.type, "region": pair.region}
        answer = http.get_json(DIGEST_PATH, {**where, "level": "buckets"})
        there = {b["bucket"]: b["digest"] for b in answer.get("buckets") or []}
        with self.writes.db.read() as conn:
            mine = list(digest.held_from(conn, self.name, pair.type, pair.region))
        here = {b: d.digest for b, d in digest.grouped(mine, lambda e: e.bucket).items()}
        for bucket in sorted(set(there) | set(here)):
            if there.get(bucket) == here.get(bucket):
                continue
            listed = http.get_json(DIGEST_PATH, {**where, "bucket": bucket})
            theirs = {r["id"]: (int(r["version"]), r["hash"])
                      for r in listed.get("resources") or []}
            ours = {e.id: e.hash for e in mine if e.bucket == bucket}
            for rid in set(theirs) | set(ours):
                if theirs.get(rid, (0, None))[1] != ours.get(rid):
                    pair.differing[rid] = theirs[rid][0] if rid in theirs else None
        self._set_aside_held(pair)

    def _set_aside_held(self, pair: Pair) -> None:
        """Resources the source offers that another source or a local resource holds here:
        precedence decided, a repair would not change them."""
        keys = [(pair.type, rid) for rid, version in pair.differing.items()
                if version is not None]
        with self.writes.db.read() as conn:
            owners, live = owners_of(conn, keys), live_of(conn, keys)
        for key in keys:
            owner = owners.get(key)
            if (owner is not None and owner != self.name) or (owner is None and key in live):
                pair.held.append(key[1])
                del pair.differing[key[1]]

    def repair(self, http: SourceClient, pairs: list[Pair]) -> tuple[Tally, int]:
        """Re-fetch (vread) what differs, delete what the source no longer serves."""
        changes: list[Change] = []
        fetched = 0
        for pair in pairs:
            for rid, version in sorted(pair.differing.items()):
                if version is None:
                    continue
                body: Any = http.get_optional(f"/fhir/{pair.type}/{rid}/_history/{version}")
                fetched += 1
                if body is not None:  # None: changed or gone since; the feed brings it
                    changes.append(Change(None, pair.type, rid, body))
        tally = Tally()
        writer = PageWriter(self.writes, self.name)
        for chunk in _chunks(changes):
            tally.add(writer.apply(chunk, None, utcnow(), repair=True))
        self._delete(writer, [Change(None, p.type, rid, None) for p in pairs
                              for rid, version in sorted(p.differing.items())
                              if version is None], tally)
        return tally, fetched

    def _delete(self, writer: PageWriter, gone: list[Change], tally: Tally) -> None:
        """Deletions in passes: one still referenced here (a site of a legal entity that is
        gone too) is refused until its referrers are deleted, in this pass or the next."""
        gone.sort(key=lambda c: _DELETE_ORDER.get(c.type, len(_DELETE_ORDER)))
        while gone:
            for chunk in _chunks(gone):
                tally.deleted += writer.apply(chunk, None, utcnow(), repair=True).deleted
            with self.writes.db.read() as conn:
                live = live_of(conn, [(c.type, c.id) for c in gone])
            left = [c for c in gone if (c.type, c.id) in live]
            if len(left) == len(gone):  # no progress: held (see federation_conflict)
                tally.held += len(left)
                return
            gone = left


#: referrers first: a resource is refused deletion while another one points to it
_DELETE_ORDER = {t: n for n, t in enumerate(
    ("PractitionerRole", "HealthcareService", "Location", "Practitioner", "Organization"))}


def _chunks(changes: list[Change]) -> Iterator[list[Change]]:
    for start in range(0, len(changes), _REPAIR_CHUNK):
        yield changes[start:start + _REPAIR_CHUNK]
