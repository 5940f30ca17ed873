"""Capacity records as typed rows: a correlated capacity search reads one row per record, and
gives the same answers as the join of index rows it replaces, also for the cases generated
worlds do not hold (a code with two codings, a system other than the usual NOS one)."""

from __future__ import annotations

from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput
from openror.search import capacity, groups
from openror.search.engine import SearchEngine
from openror.search.model import Correlated
from openror.search.parse import parse_query
from openror.services.writes import WritePath
from openror.store.capacity_records import MAX_COMBINATIONS
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.schema import metadata
from openror.store.search_rows import index_rows
from openror.terminology import default_terminology
from tests.api.search_fixture import R329, R330, R331, R332, place
from tests.api.search_fixture import capacity as record

OTHER = "urn:oid:1.2.250.1.999"


def two_codings(status: str) -> dict[str, Any]:
    """A capacity record whose status carries the NOS code and a local one."""
    body = record("01", status, "01", 3, gender="01")
    for part in body["extension"]:
        if part["url"] == "capacityStatus":
            part["valueCodeableConcept"]["coding"].append({"system": OTHER, "code": "libre"})
    return body


@pytest.fixture
def engine(db: Database) -> SearchEngine:
    with db.write() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    writes = WritePath(db, default_terminology(), "52")
    log = LogEntry(actor="test")
    for body in (place("loc-two-codings", "44109", "44000", "Nantes",
                       extensions=(two_codings("02"),)),
                 place("loc-plain", "44109", "44000", "Nantes",
                       extensions=(record("01", "02", "01", 5, gender="02"),
                                   record("01", "01", "01", 9)))):
        writes.update("Location", body["id"], body, log, caller=SYSTEM)
    return SearchEngine(db, SYSTEM)


def found(engine: SearchEngine, pairs: list[tuple[str, str]]) -> set[str]:
    return {hit.id for hit, _ in engine.search(parse_query("Location", pairs)).matches}


@pytest.mark.parametrize(("pairs", "expected"), [
    # either coding of the status answers, with the other fields of the same record
    ([("capacity-status", f"{R330}|02"), ("gender-capacity-available", f"{R332}|01")],
     {"loc-two-codings"}),
    ([("capacity-status", f"{OTHER}|libre"), ("nb-capacity", "gt2")], {"loc-two-codings"}),
    ([("capacity-status", "libre"), ("nb-capacity", "gt3")], set()),
    ([("capacity-status", f"{OTHER}|"), ("temporality-capacity", f"{R331}|01")],
     {"loc-two-codings"}),
    ([("capacity-status", "|02"), ("capacity-type", "01")], set()),  # every coding has one
    # correlation: status 02 with 9 beds exists nowhere (the 9 are installed, 01)
    ([("capacity-status", "02"), ("nb-capacity", "9")], set()),
    ([("capacity-status", "01"), ("nb-capacity", "9"), ("capacity-type", f"{R329}|01")],
     {"loc-plain"}),
    ([("capacity-status", "02,01"), ("capacity-update-date", "ge2025-05-01")],
     {"loc-two-codings", "loc-plain"}),
    ([("capacity-status", "02"), ("capacity-update-date", "lt2025")], set()),
])
def test_typed_rows_answer_correlated_capacity_searches(engine: SearchEngine, pairs: list[
        tuple[str, str]], expected: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    [group] = [c for c in parse_query("Location", pairs).criteria.items
               if isinstance(c, Correlated)]
    assert capacity.typed(group)
    for small in (0, groups.SMALL):  # probed per candidate, and resolved to ids first
        monkeypatch.setattr(groups, "SMALL", small)
        assert found(engine, pairs) == expected


def test_a_label_search_keeps_the_index_rows(engine: SearchEngine) -> None:
    pairs = [("capacity-status:text", "disponible"), ("gender-capacity-available", "01")]
    [group] = [c for c in parse_query("Location", pairs).criteria.items
               if isinstance(c, Correlated)]
    assert not capacity.typed(group)
    assert found(engine, pairs) == {"loc-two-codings"}


def too_many_codings() -> dict[str, Any]:
    body = record("01", "02", "01", 3, gender="01")
    for part in body["extension"]:
        if "valueCodeableConcept" in part:
            part["valueCodeableConcept"]["coding"] += [
                {"system": OTHER, "code": str(i)} for i in range(6)]
    return body


def test_a_record_with_too_many_combinations_is_refused(engine: SearchEngine,
                                                        db: Database) -> None:
    """Refused by validation (the write path and the importers' check), with the record
    named; nothing is stored. The index refuses it too, for a place without the profile."""
    writes = WritePath(db, default_terminology(), "52")
    body = place("loc-costly", "44109", "44000", "Nantes", extensions=(too_many_codings(),))
    with pytest.raises(InvalidInput) as refused:
        writes.update("Location", "loc-costly", body, LogEntry(actor="test"), caller=SYSTEM)
    [issue] = [i for i in refused.value.issues if i.code == "too-costly"]
    assert issue.expression == ("Location.extension[2]",)
    assert f"at most {MAX_COMBINATIONS}" in issue.diagnostics
    assert found(engine, [("_id", "loc-costly")]) == set()
    with pytest.raises(InvalidInput, match=f"at most {MAX_COMBINATIONS}"):
        index_rows("Location", "loc-x", body)
