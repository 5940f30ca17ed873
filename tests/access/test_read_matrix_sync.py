"""The read policy on the synchronisation channels, on the world of test_read_matrix: the
gap-free feed (``_after``), ``$export`` (every type, and the offer graph), the federation
digests a follower compares, and the open-data publication. Each must hold exactly what the
caller may read, redacted as a read redacts it."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import orjson
import pytest

from openror.access.caller import Caller
from openror.fhir.resource_types import REGISTRY
from openror.services.reads import Reader
from openror.store.database import Database
from openror.sync import opendata
from openror.sync.export import engine
from openror.sync.export.request import GRAPH_TYPES, ExportRequest
from openror.sync.federation import digest
from tests.access.test_read_matrix import (  # noqa: F401 (the module's fixture)
    CALLERS,
    VISIBLE,
    _acts,
    _phones,
    _statuses,
    loaded,
)
from tests.access.world import PHONES

#: what a read of eg-52 / loc-ms shows each profile (test_read_matrix checks the reads)
PHONES_SEEN = {"0": {"1"}, "1": {"1", "2", "3"}, "2": {"1", "2"}, "3": {"1"}, "4": {"1"},
               "5": {"1", "2"}}
STATUSES_SEEN = {"0": [], "1": ["01", "02", "06"], "2": ["01", "02"], "3": ["01", "02"],
                 "4": ["01", "02", "06"], "5": ["01"]}


def _export(db: Database, caller: Caller, request: ExportRequest, out: Path
            ) -> dict[str, dict[str, Any]]:
    result = engine.run(db, caller, request, out, base="", max_per_file=1000)
    bodies: dict[str, dict[str, Any]] = {}
    for made in result.files:
        for line in (out / made.name).read_bytes().splitlines():
            body = orjson.loads(line)
            assert body["id"] not in bodies
            bodies[body["id"]] = body
    return bodies


def _redactions_hold(who: str, bodies: dict[str, dict[str, Any]]) -> None:
    """The site's telecoms, the place's capacities and the offers' acts, as a read shows
    them."""
    if "eg-52" in bodies:
        assert _phones(bodies["eg-52"]) == PHONES_SEEN[who]
    if "loc-ms" in bodies:
        assert _statuses(bodies["loc-ms"]) == STATUSES_SEEN[who]
    if "hs-mco" in bodies:
        assert _acts(bodies["hs-mco"]) is (who in ("1", "2", "4", "5"))


@pytest.mark.parametrize("who", list(CALLERS))
def test_an_export_holds_what_the_caller_reads(loaded: Database,  # noqa: F811
                                               tmp_path: Path, who: str) -> None:
    bodies = _export(loaded, CALLERS[who], ExportRequest(tuple(REGISTRY)), tmp_path)
    assert set(bodies) == VISIBLE[who]
    _redactions_hold(who, bodies)


@pytest.mark.parametrize("who", list(CALLERS))
def test_the_offer_graph_brings_no_hidden_neighbour(loaded: Database,  # noqa: F811
                                                    tmp_path: Path, who: str) -> None:
    """``_myCompleteExtract`` from the offers a caller may read: the sensitive unit's place,
    role and practitioner stay out for profiles that do not see it."""
    request = ExportRequest(GRAPH_TYPES, type_filters=(("HealthcareService", "_id=hs-secret,"
                                                        "hs-ms,hs-84"),), complete=True)
    bodies = _export(loaded, CALLERS[who], request, tmp_path)
    assert set(bodies) <= VISIBLE[who]
    assert ("loc-secret" in bodies) is ("hs-secret" in VISIBLE[who])
    assert ("pract-secret" in bodies) is ("hs-secret" in VISIBLE[who])
    _redactions_hold(who, bodies)


@pytest.mark.parametrize("who", list(CALLERS))
def test_the_gap_free_feed_holds_what_the_caller_reads(loaded: Database,  # noqa: F811
                                                       who: str) -> None:
    page = Reader(loaded).history(None, None, CALLERS[who], since=None, count=1000,
                                  before_seq=None, after_seq=0)
    assert {row.id for row in page.rows} == VISIBLE[who]
    shown = {row.id: orjson.loads(row.content) for row in page.rows if row.content}
    _redactions_hold(who, shown)


def _read(db: Database, caller: Caller, rtype: str, rid: str) -> bytes:
    found = asyncio.run(Reader(db).read(rtype, rid, caller))
    assert found.content is not None
    return found.content


@pytest.mark.parametrize("who", list(CALLERS))
def test_federation_digests_cover_what_the_caller_reads(loaded: Database,  # noqa: F811
                                                        who: str) -> None:
    """A follower compares digests of what its client may read: a hidden resource is not
    counted, and a redacted one is hashed as served (so no hash of withheld bytes leaks)."""
    caller = CALLERS[who]
    with loaded.read() as conn:
        entries = {e.id: e for rtype in REGISTRY
                   for e in digest.served(conn, caller, rtype)}
    assert set(entries) == VISIBLE[who]
    assert entries["eg-84"].hash == digest.canonical_hash(
        _read(loaded, caller, "Organization", "eg-84"))
    if "eg-52" in entries:
        assert entries["eg-52"].hash == digest.canonical_hash(
            _read(loaded, caller, "Organization", "eg-52"))


def test_open_data_is_what_profile_0_reads(loaded: Database, tmp_path: Path  # noqa: F811
                                           ) -> None:
    published = opendata.publish(loaded, tmp_path, max_per_file=1000)
    bodies: dict[str, dict[str, Any]] = {}
    text = ""
    for made in published.directory.iterdir():
        if made.suffix == ".ndjson":
            for line in made.read_bytes().splitlines():
                body = orjson.loads(line)
                bodies[body["id"]] = body
        elif made.suffix == ".csv":
            with made.open(encoding="utf-8-sig", newline="") as f:
                text += "\n".join(";".join(row) for row in csv.reader(f, delimiter=";"))
    assert set(bodies) == VISIBLE["0"]
    _redactions_hold("0", bodies)
    assert PHONES["1"] in text
    assert PHONES["2"] not in text and PHONES["3"] not in text
    assert "secret" not in text
