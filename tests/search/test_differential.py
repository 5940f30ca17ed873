"""Differential test of the SQL search engine: random queries over random valid worlds, the
set of matched ids compared with a brute-force evaluation of the same criteria (``oracle``).

Two worlds are drawn (seeded, so every run is the same) and each is written through the write
path once per back-end — creations, updates that reshape a resource, deletions; then
Hypothesis draws many queries over it. The queries go through the server's parser, so the test
checks the SQL compilation and the index rows against the FHIR meaning of the parsed criteria
(the parser has its own unit tests).

The disagreements it found are kept, on minimal worlds, in ``test_regressions.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openror.access.caller import SYSTEM
from openror.search import engine, groups
from openror.search.engine import SearchEngine
from openror.search.model import OfferCapacity, Query
from openror.search.offer_capacity import combine
from openror.search.parse import parse_query
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.schema import metadata
from openror.terminology import default_terminology
from tests.search.oracle import Json, Store, matching_ids
from tests.search.strategies import (
    REGION,
    TYPES,
    Search,
    World,
    combined_queries,
    example_of,
    filter_queries,
    group_queries,
    last_updated_values,
    offer_capacity_queries,
    reference_queries,
    single_queries,
    worlds,
)

WORLDS = {seed: example_of(worlds(), seed) for seed in (20240708, 1789)}
#: queries per test, per world and back-end
EXAMPLES = 150


class Loaded:
    """A world written into the database: the engine on it, and its live resources as stored
    (with the server's metadata). Not a dataclass: Hypothesis would print every resource of a
    failing example."""

    def __init__(self, world: World, engine: SearchEngine, store: Store) -> None:
        self.world = world
        self.engine = engine
        self.store = store

    def __repr__(self) -> str:
        return f"<world of {len(self.store)} resources>"


def load(db: Database, world: World) -> Store:
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    writes = WritePath(db, default_terminology(), REGION)
    store: dict[tuple[str, str], Json] = {}
    log = LogEntry(actor="differential test")
    for op, body in world.writes:
        key = (body["resourceType"], body["id"])
        if op == "put":
            store[key] = writes.update(*key, body, log, caller=SYSTEM).body
        else:
            writes.delete(*key, log, caller=SYSTEM)
            del store[key]
    return store


@pytest.fixture(scope="module", params=sorted(WORLDS), ids=lambda seed: f"world{seed}")
def loaded(request: pytest.FixtureRequest, database_url: str) -> Iterator[Loaded]:
    db = Database(database_url)
    world = WORLDS[request.param]
    yield Loaded(world, SearchEngine(db, SYSTEM), load(db, world))
    db.dispose()


def run(loaded: Loaded, search: Search) -> tuple[set[str], set[str], Query]:
    """(what the engine finds, what the oracle expects, the parsed query)."""
    query = parse_query(search.rtype, list(search.pairs), strict=True)
    page = loaded.engine.search(replace(query, count=1000))
    found = {hit.id for hit, _ in page.matches}
    assert page.total == len(found)
    return found, matching_ids(query.criteria, search.rtype, loaded.store), query


#: ``groups.SMALL`` for an example: small sets resolved to ids first (the planner starts from
#: them and probes the rest), or never (every criterion a set of ids to intersect)
SMALLS = st.sampled_from((groups.SMALL, 0, 3))


def check(loaded: Loaded, search: Search, small: int = groups.SMALL) -> None:
    default, groups.SMALL = groups.SMALL, small
    try:
        found, expected, query = run(loaded, search)
    finally:
        groups.SMALL = default
    assert found == expected, (
        f"{search}\n  engine only: {sorted(found - expected)}\n"
        f"  oracle only: {sorted(expected - found)}\n  criteria: {query.criteria}")


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_single_parameters(loaded: Loaded, data: st.DataObject) -> None:
    """Every parameter type, modifiers, comma OR, correlated groups, near."""
    check(loaded, data.draw(single_queries(loaded.world), label="search"),
          data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_combined_parameters(loaded: Loaded, data: st.DataObject) -> None:
    """Repeated parameters (AND) of every kind, with chains and _has among them."""
    check(loaded, data.draw(combined_queries(loaded.world), label="search"),
          data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_chains_and_reverse_chains(loaded: Loaded, data: st.DataObject) -> None:
    """Chains (typed, :above, two levels), _has (nested, chained inside)."""
    check(loaded, data.draw(reference_queries(loaded.world), label="search"),
          data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_filters(loaded: Loaded, data: st.DataObject) -> None:
    """_filter with and / or / not and chained paths, alone or beside other parameters."""
    check(loaded, data.draw(filter_queries(loaded.world), label="search"),
          data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_correlated_groups_and_near(loaded: Loaded, data: st.DataObject) -> None:
    """Capacity records, equipment and their limits, publics — also through location.* —
    and near, alone or two together."""
    check(loaded, data.draw(group_queries(loaded.world), label="search"),
          data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_offer_activity_and_capacity(loaded: Loaded, data: st.DataObject) -> None:
    """An offer's activity and a capacity group of its places (search.offer_capacity)."""
    search = data.draw(offer_capacity_queries(loaded.world), label="search")
    criteria = parse_query(search.rtype, list(search.pairs), strict=True).criteria
    assert any(isinstance(c, OfferCapacity) for c in combine(search.rtype, criteria.items))
    check(loaded, search, data.draw(SMALLS, label="small"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_totals_counted_apart_from_the_matches(loaded: Loaded, data: st.DataObject) -> None:
    """Beyond the matches a first page keeps, the total is counted apart (for one criterion
    held by index rows, on those rows alone): it is the oracle's count all the same."""
    search = data.draw(st.one_of(single_queries(loaded.world),
                                 offer_capacity_queries(loaded.world)), label="search")
    query = parse_query(search.rtype, list(search.pairs), strict=True)
    expected = matching_ids(query.criteria, search.rtype, loaded.store)
    kept, engine.CAP = engine.CAP, 1
    try:
        page = loaded.engine.search(replace(query, count=1), paged=False)
    finally:
        engine.CAP = kept
    assert page.total == len(expected), f"{search}\n  criteria: {page.query.criteria}"


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(data=st.data())
def test_last_updated(loaded: Loaded, data: st.DataObject) -> None:
    """_lastUpdated (a timestamp column, not an index row) around the stored instants."""
    rtype = data.draw(st.sampled_from(TYPES), label="type")
    stamps = sorted(body["meta"]["lastUpdated"] for (t, _), body in loaded.store.items()
                    if t == rtype)
    value = data.draw(st.sampled_from(last_updated_values(data.draw(st.sampled_from(stamps)))))
    prefix = data.draw(st.sampled_from(("", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb",
                                        "ap")))
    check(loaded, Search(rtype, (("_lastUpdated", prefix + value),)),
          data.draw(SMALLS, label="small"))
