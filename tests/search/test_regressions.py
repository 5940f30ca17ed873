"""Disagreements the differential test found between the engine and the FHIR semantics
(``oracle``), each on a minimal world, kept as regression tests now that they are fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput
from openror.search.engine import SearchEngine
from openror.search.parse import parse_query
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.builders import (
    SD,
    coding,
    healthcare_service,
    location,
    organization,
    practitioner,
    practitioner_role,
)
from tests.search.oracle import Json, matching_ids
from tests.search.strategies import REGION, UCUM


def _tiny_world() -> list[Json]:
    """An organization; a place with one equipment whose weight limit is 150 kg; an offer
    there for ages 16 to 65 years; two professionals, one of them practising there for an
    organization known by its FINESS number only (a logical reference)."""
    place = location() | {"id": "loc", "managingOrganization": {"reference": "Organization/org"}}
    place["extension"].append({"url": SD + "ror-location-equipment", "extension": [
        {"url": "equipmentType",
         "valueCodeableConcept": coding("TRE_R212-Equipement", "009")},
        {"url": SD + "ror-location-equipment-limit", "extension": [
            {"url": "equipmentFeature",
             "valueCodeableConcept": coding("TRE_R340-TypeCaracteristiqueEquipement", "01")},
            {"url": "limitValue",
             "valueQuantity": {"value": 150, "unit": "kg", "system": UCUM, "code": "kg"}}]}]})
    offer = healthcare_service("Organization/org", "Location/loc") | {"id": "hs"}
    ages: dict[str, Any] = offer["extension"][1]["extension"][0]["valueRange"]
    ages["low"]["value"], ages["high"]["value"] = 16, 65
    role = practitioner_role("Practitioner/pr-a", "HealthcareService/hs") | {"id": "prr"}
    role["organization"] = {"identifier": {"system": "https://finess.esante.gouv.fr",
                                           "value": "010000001"}}
    return [organization() | {"id": "org"}, place, offer,
            practitioner("810000000011") | {"id": "pr-a"},
            practitioner("810000000029") | {"id": "pr-b"}, role]


@pytest.fixture(scope="module")
def tiny(database_url: str) -> Iterator[tuple[SearchEngine, dict[tuple[str, str], Json]]]:
    db = Database(database_url)
    writes = WritePath(db, default_terminology(), REGION)
    store = {(b["resourceType"], b["id"]): writes.update(
        b["resourceType"], b["id"], b, LogEntry(actor="regression test"), caller=SYSTEM).body
        for b in _tiny_world()}
    yield SearchEngine(db, SYSTEM), store
    db.dispose()


def _found(engine: SearchEngine, rtype: str, key: str, value: str) -> set[str]:
    page = engine.search(replace(parse_query(rtype, [(key, value)], strict=True), count=1000))
    return {hit.id for hit, _ in page.matches}


def _agrees(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]], rtype: str, key: str,
            value: str, expected: set[str]) -> None:
    engine, store = tiny
    query = parse_query(rtype, [(key, value)], strict=True)
    assert matching_ids(query.criteria, rtype, store) == expected  # the oracle's reading
    assert _found(engine, rtype, key, value) == expected


def test_id_not(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]) -> None:
    _agrees(tiny, "Practitioner", "_id:not", "pr-a", {"pr-b"})


def test_last_updated_missing(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]) -> None:
    _agrees(tiny, "Practitioner", "_lastUpdated:missing", "false", {"pr-a", "pr-b"})


def test_id_missing(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]) -> None:
    _agrees(tiny, "Practitioner", "_id:missing", "true", set())


def test_logical_reference_is_not_missing(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]
                                          ) -> None:
    _agrees(tiny, "PractitionerRole", "organization:identifier", "010000001", {"prr"})
    _agrees(tiny, "PractitionerRole", "organization:missing", "false", {"prr"})


def test_limit_value_without_unit(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]
                                  ) -> None:
    """A quantity without unit compares the number alone (FHIR R4 search,
    docs/api/search.md). Up to ca5b04f the index kept only the canonical value (150 kg ->
    150000 g, search_rows._numbers) and sql._quantity compared 300 with it: nothing found.
    Fixed in 307fa4a (the value as written is indexed too)."""
    _agrees(tiny, "Location", "limit-value", "le300", {"loc"})


def test_age_without_unit(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]) -> None:
    """The same for ages: 16 a was indexed as 504921600 s only, so age-range-low=le18 missed
    an offer from 16 years (fixed in 307fa4a)."""
    _agrees(tiny, "HealthcareService", "age-range-low", "le18", {"hs"})


def test_profile_below(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]) -> None:
    """Up to ca5b04f, uri :below was accepted (criteria.MODIFIERS) but parsed as a token and
    compared for equality (sql._token): _profile:below=<base> found nothing. Since 307fa4a
    the modifier is refused (a 400), which is a right answer too; a wrong one is not."""
    try:
        parse_query("Practitioner", [("_profile:below", SD)], strict=True)
    except InvalidInput:
        return
    _agrees(tiny, "Practitioner", "_profile:below", SD, {"pr-a", "pr-b"})


def test_text_with_a_common_word_start(tiny: tuple[SearchEngine, dict[tuple[str, str], Json]]
                                       ) -> None:
    """Up to ca5b04f, sql._labels wrote (system, code) IN (~10,000 pairs) for a short :text
    word ('s' starts the label of ~10,000 NOS codes, communes mostly), and PostgreSQL failed
    with 'stack depth limit exceeded' — a 500 for a valid search. Fixed in 307fa4a (one IN
    list per system)."""
    _agrees(tiny, "Location", "commune-cog:text", "s,v", {"loc"})  # v: Versailles


def test_a_page_of_a_thousand_matches_is_served(db: Database) -> None:
    """A full page of 1,000 matches (the largest ``_count``) is fetched in the versions that
    matched; on SQLite one OR of 1,000 (id, version) pairs was an expression tree deeper than
    SQLite allows ("Expression tree is too large")."""
    from openror.search import engine as search_engine

    WritePath(db, default_terminology(), REGION).update(
        "Organization", "o", organization() | {"id": "o"}, LogEntry(actor="regression test"),
        caller=SYSTEM)
    with db.read() as conn:
        stored = search_engine._versions(conn, "Organization", [
            search_engine.Hit("o", 1, None, None),
            *(search_engine.Hit(f"absent-{n}", 1, None, None) for n in range(999))])
    assert list(stored) == ["o"]
