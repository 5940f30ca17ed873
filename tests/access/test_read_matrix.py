"""The read policy, channel by channel: for each access profile, exactly which resources are
visible and what is redacted from them, through read, vread, search, chained search, `_has`,
`_include`, `_revinclude`, history and paging (the API adds only the caller's identity, see
test_read_policy_api)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import orjson
import pytest

from openror.access.caller import Caller
from openror.errors import Forbidden, InvalidInput, NotFound
from openror.search.engine import SearchEngine
from openror.search.parse import parse_query
from openror.services.reads import Reader
from openror.store.database import Database
from tests.access import world
from tests.access.world import PHONES
from tests.api.search_fixture import R213

P = {n: Caller(f"profile {n}", n) for n in range(6)}
REGION_84 = Caller("region 84", 1, regions=frozenset({"84"}))
SECRET = {"hs-secret", "loc-secret", "role-secret", "pract-secret"}
ALL = {"eg-52", "eg-84", "loc-ms", "loc-mco", "loc-secret", "hs-ms", "hs-city", "hs-mco",
       "hs-secret", "hs-84", "pract-ms", "pract-city", "pract-mco", "pract-secret", "role-ms",
       "role-city", "role-mco", "role-secret", "task-1"}
PEOPLE = {"pract-ms", "pract-city", "pract-mco", "pract-secret", "role-ms", "role-city",
          "role-mco", "role-secret"}

#: what each caller sees of the world
VISIBLE: dict[str, set[str]] = {
    "0": ALL - SECRET - PEOPLE - {"task-1"} | {"pract-city", "role-city"},
    "1": ALL,
    "2": ALL - SECRET - {"task-1"},
    "3": ALL - SECRET - PEOPLE - {"task-1"} | {"pract-city", "role-city", "pract-ms",
                                                "role-ms"},
    "4": ALL - {"task-1"},
    "5": ALL - SECRET - {"task-1"},
    "region 84": {"eg-84", "hs-84"},
}
CALLERS = {**{str(n): c for n, c in P.items()}, "region 84": REGION_84}
TYPES = ("Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole",
         "Task")


@pytest.fixture(scope="module")
def loaded(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    with db.write() as conn:
        from openror.store.schema import metadata
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    world.load(db)
    yield db
    db.dispose()


def search(db: Database, caller: Caller, rtype: str, *pairs: tuple[str, str]
           ) -> tuple[set[str], int | None, dict[str, bytes]]:
    page = SearchEngine(db, caller).search(parse_query(rtype, list(pairs), strict=True))
    found = {hit.id for hit, _ in page.matches}
    contents = {hit.id: content for hit, content in page.matches}
    contents |= {i.id: i.content for i in page.included}
    return found, page.total, contents


def read(db: Database, caller: Caller, rtype: str, rid: str) -> dict[str, Any]:
    stored = asyncio.run(Reader(db).read(rtype, rid, caller))
    assert stored.content is not None
    body: dict[str, Any] = orjson.loads(stored.content)
    return body


# -- which resources ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", list(CALLERS))
def test_search_and_totals_show_exactly_the_visible_resources(loaded: Database, who: str
                                                              ) -> None:
    seen: set[str] = set()
    for rtype in TYPES:
        found, total, _ = search(loaded, CALLERS[who], rtype)
        assert total == len(found)
        seen |= found
    assert seen == VISIBLE[who]


@pytest.mark.parametrize("who", list(CALLERS))
def test_read_and_vread_answer_a_hidden_resource_as_absent(loaded: Database, who: str) -> None:
    caller = CALLERS[who]
    for body in world.resources():
        rtype, rid = body["resourceType"], body["id"]
        if rid in VISIBLE[who]:
            assert read(loaded, caller, rtype, rid)["id"] == rid
            continue
        with pytest.raises(NotFound, match="does not exist"):
            read(loaded, caller, rtype, rid)
        with pytest.raises(NotFound, match="does not exist"):
            asyncio.run(Reader(loaded).vread(rtype, rid, 1, caller))


@pytest.mark.parametrize("who", list(CALLERS))
def test_history_lists_and_counts_only_visible_resources(loaded: Database, who: str) -> None:
    page = Reader(loaded).history(None, None, CALLERS[who], since=None, count=1000,
                                  before_seq=None)
    assert {row.id for row in page.rows} == VISIBLE[who]
    assert page.total == len(page.rows)
    if "hs-secret" not in VISIBLE[who]:
        with pytest.raises(NotFound):
            Reader(loaded).history("HealthcareService", "hs-secret", CALLERS[who], since=None,
                                   count=10, before_seq=None)


@pytest.mark.parametrize("who", ["0", "2", "3", "5"])
def test_a_hidden_place_neither_matches_a_chain_nor_orders_by_distance(loaded: Database,
                                                                       who: str) -> None:
    found, total, _ = search(loaded, CALLERS[who], "HealthcareService",
                             ("location.name", "Lieu loc-secret"))
    assert (found, total) == (set(), 0)
    found, _, _ = search(loaded, CALLERS[who], "HealthcareService",
                         ("location.near", "47.2184|-1.5536|1|km"))
    assert found == {"hs-ms", "hs-mco"}


@pytest.mark.parametrize("who", ["0", "2", "3", "5"])
def test_a_hidden_role_does_not_reveal_its_offer_through_has(loaded: Database, who: str) -> None:
    found, _, _ = search(loaded, CALLERS[who], "HealthcareService",
                         ("_has:PractitionerRole:service:_id", "role-secret"))
    assert found == set()
    found, _, _ = search(loaded, CALLERS[who], "Location",
                         ("_has:HealthcareService:location:_id", "hs-secret"))
    assert found == set()


def test_the_sensitive_unit_is_found_by_profiles_1_and_4(loaded: Database) -> None:
    for who in ("1", "4"):
        found, _, _ = search(loaded, CALLERS[who], "HealthcareService",
                             ("_has:PractitionerRole:service:_id", "role-secret"))
        assert found == {"hs-secret"}


@pytest.mark.parametrize("who", list(CALLERS))
def test_includes_bring_only_visible_resources(loaded: Database, who: str) -> None:
    _, _, contents = search(loaded, CALLERS[who], "HealthcareService",
                            ("_revinclude", "PractitionerRole:service"),
                            ("_include", "PractitionerRole:practitioner"),
                            ("_include", "HealthcareService:location"),
                            ("_include", "HealthcareService:organization"))
    assert set(contents) == VISIBLE[who] - {"task-1"}


def test_a_page_link_is_valid_only_for_callers_with_the_same_rights(loaded: Database) -> None:
    query = replace(parse_query("HealthcareService", []), count=1)
    first = SearchEngine(loaded, P[1]).search(query)
    assert first.cursor is not None
    from openror.search.engine import encode_cursor
    cursor = encode_cursor(first.cursor, 1)
    assert SearchEngine(loaded, Caller("another", 1)).page(query, cursor).matches
    with pytest.raises(InvalidInput, match="page link"):
        SearchEngine(loaded, P[0]).page(query, cursor)


# -- what of them ------------------------------------------------------------------------------

def _phones(body: dict[str, Any]) -> set[str]:
    """Every phone number anywhere in the resource."""
    text = orjson.dumps(body).decode()
    return {level for level, phone in PHONES.items() if phone in text}


@pytest.mark.parametrize(("who", "levels"), [
    ("0", {"1"}), ("1", {"1", "2", "3"}), ("2", {"1", "2"}), ("3", {"1"}), ("4", {"1"}),
    ("5", {"1", "2"})])
def test_contacts_and_telecoms_up_to_the_profile_level(loaded: Database, who: str,
                                                       levels: set[str]) -> None:
    site = read(loaded, CALLERS[who], "Organization", "eg-52")
    assert _phones(site) == levels
    # the same redaction in a search
    _, _, contents = search(loaded, CALLERS[who], "Organization", ("_id", "eg-52"))
    assert _phones(orjson.loads(contents["eg-52"])) == levels


@pytest.mark.parametrize(("who", "levels"), [
    ("0", {"1"}), ("2", {"1", "2"}), ("3", {"1", "2"}), ("4", {"1"})])
def test_offer_contacts_follow_the_field_for_profile_3(loaded: Database, who: str,
                                                       levels: set[str]) -> None:
    assert _phones(read(loaded, CALLERS[who], "HealthcareService", "hs-ms")) == levels


def _statuses(place: dict[str, Any]) -> list[str]:
    return sorted(part["valueCodeableConcept"]["coding"][0]["code"]
                  for ext in place.get("extension", []) if ext["url"].endswith(
                      "supported-capacity") for part in ext["extension"]
                  if part["url"] == "capacityStatus")


def _has_equipment(place: dict[str, Any]) -> bool:
    return any(e["url"].endswith("location-equipment") for e in place.get("extension", []))


@pytest.mark.parametrize(("who", "ms_place", "mco_place", "equipment"), [
    ("0", [], [], False),
    ("1", ["01", "02", "06"], ["01", "02"], True),
    ("2", ["01", "02"], ["01", "02"], True),
    ("3", ["01", "02"], [], True),  # medico-social place: as profile 2; the other: open data
    ("4", ["01", "02", "06"], ["01", "02"], True),
    ("5", ["01"], ["01"], True),
])
def test_capacities_and_equipment_by_profile(loaded: Database, who: str, ms_place: list[str],
                                             mco_place: list[str], equipment: bool) -> None:
    place = read(loaded, CALLERS[who], "Location", "loc-ms")
    assert _statuses(place) == ms_place
    assert _has_equipment(place) is equipment
    assert _statuses(read(loaded, CALLERS[who], "Location", "loc-mco")) == mco_place


def _acts(offer: dict[str, Any]) -> bool:
    return any(c["coding"][0]["system"] == world.R210 for c in offer["characteristic"])


@pytest.mark.parametrize(("who", "ms", "mco"), [
    ("0", False, False), ("1", True, True), ("2", True, True), ("3", True, False),
    ("4", True, True), ("5", True, True)])
def test_acts_by_profile_and_field(loaded: Database, who: str, ms: bool, mco: bool) -> None:
    assert _acts(read(loaded, CALLERS[who], "HealthcareService", "hs-ms")) is ms
    assert _acts(read(loaded, CALLERS[who], "HealthcareService", "hs-mco")) is mco


@pytest.mark.parametrize(("who", "shown"), [
    ("0", False), ("1", True), ("2", False), ("3", False), ("4", True), ("5", False)])
def test_orsan_level_and_drop_zone_for_profiles_1_and_4(loaded: Database, who: str,
                                                        shown: bool) -> None:
    urls = {e["url"] for e in read(loaded, CALLERS[who], "Organization", "eg-52")["extension"]}
    assert (world.SD + "ror-organization-drop-zone" in urls) is shown
    assert (world.SD + "ror-organization-level-recours-orsan" in urls) is shown


@pytest.mark.parametrize(("who", "shown"), [("0", False), ("1", True), ("4", False)])
def test_personal_data_of_practitioners(loaded: Database, who: str, shown: bool) -> None:
    assert ("telecom" in read(loaded, CALLERS[who], "Practitioner", "pract-city")) is shown


# -- searches that would reveal what is withheld ---------------------------------------------

@pytest.mark.parametrize(("who", "pairs"), [
    ("0", [("capacity-status", "01")]),
    ("0", [("equipment-type", "088")]),
    ("0", [("nb-capacity", "gt0")]),
    ("3", [("capacity-status", "02"), ("nb-capacity", "gt0")]),
    ("5", [("capacity-status", "02"), ("nb-capacity", "gt0")]),
    ("5", [("nb-capacity", "gt0")]),
    ("2", [("capacity-status", "06")]),
    ("2", [("capacity-status:not", "01")]),
    ("0", [("_sort", "nb-capacity")]),
])
def test_searching_on_a_withheld_field_is_refused(loaded: Database, who: str,
                                                  pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(Forbidden, match=f"access profile {who}"):
        search(loaded, CALLERS[who], "Location", *pairs)
    chained = [(k, f"location.{v}") if k == "_sort" else (f"location.{k}", v)
               for k, v in pairs]
    with pytest.raises(Forbidden):  # chained from the offers as well
        search(loaded, CALLERS[who], "HealthcareService", *chained)


@pytest.mark.parametrize(("who", "pairs", "expected"), [
    ("5", [("capacity-status", "01"), ("nb-capacity", "ge10")], {"loc-ms", "loc-mco"}),
    ("2", [("capacity-status", "02"), ("nb-capacity", "ge3")], {"loc-ms", "loc-mco"}),
    ("4", [("capacity-status", "06"), ("nb-capacity", "gt0")], {"loc-ms"}),
])
def test_capacity_searches_within_what_the_profile_sees(loaded: Database, who: str,
                                                        pairs: list[tuple[str, str]],
                                                        expected: set[str]) -> None:
    assert search(loaded, CALLERS[who], "Location", *pairs)[0] == expected


def test_acts_are_searchable_only_by_profiles_that_see_them(loaded: Database) -> None:
    act = ("characteristic", f"{world.R210}|0172")
    with pytest.raises(Forbidden, match="public characteristics"):
        search(loaded, P[0], "HealthcareService", act)
    with pytest.raises(Forbidden):
        search(loaded, P[0], "HealthcareService", ("characteristic", "0172"))
    assert search(loaded, P[2], "HealthcareService", act)[0] == {"hs-ms", "hs-mco"}
    care_mode = ("characteristic", f"{R213}|32")
    assert "hs-city" in search(loaded, P[0], "HealthcareService", care_mode)[0]


def test_included_resources_are_redacted_too(loaded: Database) -> None:
    _, _, contents = search(loaded, P[0], "HealthcareService", ("_id", "hs-ms"),
                            ("_include", "HealthcareService:location"),
                            ("_include", "HealthcareService:organization"))
    assert _statuses(orjson.loads(contents["loc-ms"])) == []
    assert _phones(orjson.loads(contents["eg-52"])) == {"1"}


@pytest.mark.parametrize("who", ["0", "1"])
def test_words_of_withheld_fields_are_not_searchable_as_text(loaded: Database, who: str
                                                             ) -> None:
    """Full text covers what every profile sees: not equipment (« bariatrique ») nor acts."""
    assert search(loaded, CALLERS[who], "Location", ("_content", "bariatrique"))[0] == set()
    assert search(loaded, CALLERS[who], "Location", ("_content", "loc-ms"))[0] == {"loc-ms"}
