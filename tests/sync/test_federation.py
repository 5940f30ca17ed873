"""Federation between two real instances on loopback (a source served by uvicorn, reached
through a proxy the test controls, and a follower): catch-up converges (digests and content
equal), through a source restart, a connection cut in the middle of a page and a page
delivered twice; two sources by precedence; verify finds a planted difference and repair
re-fetches only it. Both back-ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from openror.access.caller import SYSTEM
from openror.search.engine import SearchEngine
from openror.search.parse import parse_query
from openror.store import bulk_indexes
from openror.store.federation_sources import need
from openror.store.schema import change_feed
from openror.sync.federation import digest
from openror.sync.federation.client import SourceClient
from openror.sync.federation.feed_page import FEDERATED_TYPES, Page
from openror.sync.federation.follow import Follower, RunReport
from openror.sync.federation.verify import Verifier
from tests.builders import (
    healthcare_service,
    location,
    organization,
    practitioner,
    practitioner_role,
)
from tests.conftest import wipe
from tests.sync.cutting_proxy import CuttingProxy
from tests.sync.federation_fixture import Instance, add_source, fast_client

World = tuple[Instance, Instance, Instance]


@pytest.fixture
def proxy(world: World) -> Iterator[CuttingProxy]:
    source = world[0]
    relay = CuttingProxy(source.port)
    yield relay
    relay.close()


def populate(source: Instance, sites: int = 4, finess: str = "11") -> dict[str, list[str]]:
    """A small directory: legal entity, sites, places, offers, practitioners and roles; then
    updates and a deletion, so that the feed holds every kind of change."""
    made: dict[str, list[str]] = {t: [] for t in FEDERATED_TYPES}
    ej = source.create(organization(name="GHT de test", finess=f"{finess}0000000"))
    made["Organization"].append(ej)
    for n in range(sites):
        site = source.create(organization(name=f"Site {n}", finess=f"{finess}000{n:04d}",
                                          part_of=f"Organization/{ej}"))
        place = source.create(location(name=f"Bâtiment {n}"))
        offer = source.create(healthcare_service(f"Organization/{site}", f"Location/{place}"))
        person = source.create(practitioner(idnat=f"8100000{finess}{n:03d}"))
        role = source.create(practitioner_role(f"Practitioner/{person}",
                                               f"HealthcareService/{offer}"))
        for rtype, rid in (("Organization", site), ("Location", place),
                           ("HealthcareService", offer), ("Practitioner", person),
                           ("PractitionerRole", role)):
            made[rtype].append(rid)
    source.update("Organization", made["Organization"][1], {"name": "Site 0 renommé"})
    source.update("HealthcareService", made["HealthcareService"][0], {"name": "Cardiologie"})
    source.delete("PractitionerRole", made["PractitionerRole"][-1])
    made["PractitionerRole"].pop()
    return made


def hashes(instance: Instance, source: str | None = None) -> dict[tuple[str, str], str]:
    """(type, id) -> content hash: of everything the instance serves (``source`` None), or of
    what it holds from ``source``."""
    found: dict[tuple[str, str], str] = {}
    with instance.services.db.read() as conn:
        for rtype in FEDERATED_TYPES:
            entries = (digest.served(conn, SYSTEM, rtype) if source is None
                       else digest.held_from(conn, source, rtype))
            found.update({(rtype, e.id): e.hash for e in entries})
    return found


def follower_of(world: World, name: str = "src", page_size: int = 4, **options: Any
                ) -> Follower:
    return Follower(world[2].services.writes, name, page_size=page_size,
                    client=options.pop("client", fast_client), **options)


def versions(instance: Instance) -> int:
    with instance.services.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(change_feed))
                   .scalar_one())


def test_catch_up_converges_digests_and_content(world: World, proxy: CuttingProxy,
                                                tmp_path: Path) -> None:
    source, _, follower = world
    populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    report = follower_of(world).catch_up()
    assert report.error is None and report.pages > 3
    assert hashes(follower, "src") == hashes(source)
    check = Verifier(follower.services.writes, "src", client=fast_client).run()
    assert check.equal and {p.type for p in check.pairs} == FEDERATED_TYPES
    assert all(p.region == "11" for p in check.pairs)
    # later changes come with the next run, from the stored cursor
    org = populate(source, sites=1, finess="12")["Organization"][0]
    again = follower_of(world).catch_up()
    assert again.error is None and again.cursor > report.cursor
    assert follower.body("Organization", org) is not None
    assert hashes(follower, "src") == hashes(source)


def test_the_source_restarting_in_the_middle_of_the_follow(world: World, proxy: CuttingProxy,
                                                           tmp_path: Path) -> None:
    source, _, follower = world
    populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    restarted = threading.Event()

    def restart(report: RunReport, _page: Page) -> None:
        if report.pages == 2 and not restarted.is_set():
            restarted.set()
            source.stop()  # the next requests find no server for a while
            threading.Timer(0.6, source.start).start()

    report = follower_of(world, on_page=restart).catch_up()
    assert restarted.is_set()
    assert report.error is None
    assert hashes(follower, "src") == hashes(source)


def test_an_unreachable_source_fails_in_one_line_and_the_next_run_resumes(
        world: World, proxy: CuttingProxy, tmp_path: Path) -> None:
    source, _, follower = world
    populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    source.stop()
    try:
        def impatient(row: Any) -> SourceClient:
            return SourceClient(row, attempts=2, first_wait=0.01)

        report = follower_of(world, client=impatient).catch_up()
    finally:
        source.start()
    assert report.error is not None and "\n" not in report.error
    assert report.error.startswith("source src: ")
    with follower.services.db.read() as conn:
        assert need(conn, "src").last_error == report.error
    assert follower_of(world).catch_up().error is None
    with follower.services.db.read() as conn:
        assert need(conn, "src").last_error is None
    assert hashes(follower, "src") == hashes(source)


def test_a_connection_cut_in_the_middle_of_a_page_applies_nothing_of_it(
        world: World, proxy: CuttingProxy, tmp_path: Path) -> None:
    source, _, follower = world
    populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    proxy.cuts.append(("/_history", 700))

    def once(row: Any) -> SourceClient:
        return SourceClient(row, attempts=1)

    failed = follower_of(world, client=once).catch_up()
    assert failed.error is not None and failed.pages == 0
    assert hashes(follower, "src") == {}  # not half a page: nothing
    with follower.services.db.read() as conn:
        assert need(conn, "src").cursor == 0
    proxy.cuts.append(("/_history", 1500))  # cut again; this time retried
    report = follower_of(world).catch_up()
    assert report.error is None
    assert hashes(follower, "src") == hashes(source)


def test_a_first_catch_up_builds_the_search_indexes_at_its_end_even_when_it_stops(
        world: World, proxy: CuttingProxy, tmp_path: Path) -> None:
    """Into an empty follower, the pages are written without the search indexes
    (store.bulk_indexes), which are there again when the catch-up ends, here because the
    source stopped answering half-way."""
    source, _, follower = world
    made = populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    missing_while_writing: list[list[str]] = []

    def watch_then_stop(report: RunReport, _page: Page) -> None:
        with follower.services.db.read() as conn:
            missing_while_writing.append(bulk_indexes.missing(conn))
        if report.pages == 2:
            proxy.cuts.extend([("/_history", 10)] * 10)  # every later page fails

    def once(row: Any) -> SourceClient:
        return SourceClient(row, attempts=1)

    stopped = follower_of(world, client=once, on_page=watch_then_stop).catch_up()
    # (the page after the second was fetched while the second was written)
    assert stopped.error is not None and stopped.pages in (2, 3)
    assert all(missing_while_writing) and len(missing_while_writing) == stopped.pages
    with follower.services.db.read() as conn:
        assert bulk_indexes.missing(conn) == []
    proxy.cuts.clear()
    assert follower_of(world).catch_up().error is None
    offer = made["HealthcareService"][-1]
    place = follower.body("HealthcareService", offer)["location"][0]["reference"]
    query = parse_query("HealthcareService", [("location", place)])
    found = SearchEngine(follower.services.db, SYSTEM).search(query).matches
    assert [hit.id for hit, _ in found] == [offer]


def test_a_page_delivered_twice_changes_nothing(world: World, proxy: CuttingProxy,
                                               tmp_path: Path) -> None:
    source, _, follower = world
    made = populate(source)
    add_source(follower, proxy.url, source, tmp_path)
    reference = follower_of(world).catch_up()
    made_versions = versions(follower)
    # the same catch-up again from scratch, with pages delivered twice
    wipe(follower.services.db)
    add_source(follower, proxy.url, source, tmp_path)
    replayed, cursor = 0, 0

    def replay_next(report: RunReport, _page: Page) -> None:
        nonlocal replayed, cursor
        if replayed < 3 and report.cursor > cursor:  # the next page will come twice
            replayed += 1
            proxy.replays.append("/_history")
        cursor = report.cursor

    proxy.replays.append("/_history")
    report = follower_of(world, on_page=replay_next).catch_up()
    assert report.error is None and report.cursor == reference.cursor
    assert report.tally.skipped >= 1  # the repeated changes were recognised
    assert versions(follower) == made_versions  # and made no version
    assert hashes(follower, "src") == hashes(source)
    assert len(hashes(follower, "src")) == sum(len(ids) for ids in made.values())


def test_precedence_between_two_sources(world: World, tmp_path: Path) -> None:
    source, second, follower = world
    shared = organization(name="Établissement commun", finess="110009999")
    for one, name in ((source, "Vu par la source basse"), (second, "Vu par la source haute")):
        one.services.writes.update("Organization", "shared", {
            **shared, "id": "shared", "name": name}, _log(), caller=SYSTEM)
    populate(second, sites=1, finess="32")
    add_source(follower, source.url, source, tmp_path, "low", precedence=10)
    add_source(follower, second.url, second, tmp_path, "high", precedence=20)
    assert follower_of(world, "high").catch_up().error is None
    report = follower_of(world, "low").catch_up()  # after the higher one: held
    assert report.tally.held == 1
    assert follower.body("Organization", "shared")["name"] == "Vu par la source haute"  # type: ignore[index]
    low = Verifier(follower.services.writes, "low", client=fast_client).run(repair=True)
    held = [p for p in low.pairs if p.held]
    assert [p.held for p in held] == [["shared"]] and low.fetched == 0
    assert Verifier(follower.services.writes, "high", client=fast_client).run().equal


def test_verify_finds_a_planted_difference_and_repair_refetches_only_it(
        world: World, tmp_path: Path) -> None:
    source, _, follower = world
    made = populate(source, sites=6)
    add_source(follower, source.url, source, tmp_path)
    assert follower_of(world, page_size=50).catch_up().error is None
    offer = made["HealthcareService"][2]
    follower.update("HealthcareService", offer, {"name": "Modifié ici"})  # a local edit
    gone = made["Location"][4]
    source.update("Location", gone, {"name": "Changé à la source sans suivi"})
    source.requests.clear()
    report = Verifier(follower.services.writes, "src", client=fast_client).run(repair=True)
    different = sorted(p.type for p in report.pairs if not p.equal)
    assert different == ["HealthcareService", "Location"]
    vreads = [path for path in source.requests if "/_history/" in path]
    assert sorted(vreads) == sorted([f"/fhir/HealthcareService/{offer}/_history/1",
                                     f"/fhir/Location/{gone}/_history/2"])
    assert report.fetched == 2 and report.equal
    assert report.after is not None and all(p.equal for p in report.after)
    assert hashes(follower, "src") == hashes(source)
    assert not any("/_history?" in path for path in source.requests)  # not the feed


def _log() -> Any:
    from tests.sync.federation_fixture import WRITER

    return WRITER


def test_following_keeps_up_with_the_source_until_stopped(world: World, tmp_path: Path
                                                          ) -> None:
    source, _, follower = world
    add_source(follower, source.url, source, tmp_path)
    stop, written, seen = threading.Event(), threading.Event(), threading.Event()
    runs: list[RunReport] = []

    def told(report: RunReport) -> None:
        runs.append(report)
        if written.is_set() and hashes(follower, "src") == hashes(source):
            seen.set()

    thread = threading.Thread(target=follower_of(world).follow, args=(0.1, stop, told))
    thread.start()
    try:
        populate(source, sites=2)
        written.set()
        assert seen.wait(60)
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert all(r.error is None for r in runs)
