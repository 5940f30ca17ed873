"""Applying a source's changes on the follower (sync.federation.apply), without HTTP: a page
is written whole through the write path, applying it twice changes nothing, deletions are
applied, and conflicts go by the declared precedence. Both back-ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openror.store.federation_tables import federation_conflict, federation_owner
from openror.store.feed import changes as change_log
from openror.store.resources import utcnow
from openror.sync.federation.apply import PageWriter
from openror.sync.federation.feed_page import Change
from tests.builders import healthcare_service, organization
from tests.sync.federation_fixture import Instance, add_source


def _change(seq: int, body: dict[str, Any] | None, rtype: str = "", rid: str = "") -> Change:
    if body is None:
        return Change(seq, rtype, rid, None)
    return Change(seq, body["resourceType"], body["id"], body)


def _offer(source: Instance) -> tuple[dict[str, Any], dict[str, Any]]:
    org = source.create(organization(finess="110000001"))
    offer = source.create(healthcare_service(f"Organization/{org}"))
    org_body, offer_body = source.body("Organization", org), source.body("HealthcareService",
                                                                         offer)
    assert org_body is not None and offer_body is not None
    return org_body, offer_body


def _owners(follower: Instance) -> dict[tuple[str, str], str]:
    with follower.services.db.read() as conn:
        return {(t, i): s for t, i, s, _ in conn.execute(sa.select(federation_owner))}


def test_a_page_applied_twice_changes_nothing_and_keeps_ids_tags_identifiers(
        world: tuple[Instance, Instance, Instance], tmp_path: Path) -> None:
    source, _, follower = world
    add_source(follower, "http://127.0.0.1:9", source, tmp_path)
    org, offer = _offer(source)
    page = [_change(1, org), _change(2, offer)]
    writer = PageWriter(follower.services.writes, "src")
    first = writer.apply(page, 2, utcnow())
    assert (first.written, first.unchanged) == (2, 0)
    again = writer.apply(page, 2, utcnow(), repair=True)  # past the cursor check on purpose
    assert (again.written, again.unchanged) == (0, 2)
    held = follower.body("HealthcareService", offer["id"])
    assert held is not None
    assert held["identifier"] == offer["identifier"]  # the source's functional id: 11/…
    assert held["identifier"][0]["value"].startswith("11/")
    assert held["meta"]["tag"] == offer["meta"]["tag"]  # region 11, not the follower's 84
    assert held["meta"]["versionId"] == "1"
    with follower.services.db.read() as conn:
        log = change_log(conn, rtype="HealthcareService")
    assert [entry.actor for entry in log] == ["federation:src"]


def test_changes_at_or_below_the_cursor_are_skipped(
        world: tuple[Instance, Instance, Instance], tmp_path: Path) -> None:
    source, _, follower = world
    add_source(follower, "http://127.0.0.1:9", source, tmp_path)
    org, _offer_body = _offer(source)
    writer = PageWriter(follower.services.writes, "src")
    writer.apply([_change(5, org)], 5, utcnow())
    renamed = {**org, "name": "Renamed meanwhile"}
    tally = writer.apply([_change(4, renamed)], 4, utcnow())  # an old page delivered again
    assert tally.skipped == 1
    assert follower.body("Organization", org["id"])["name"] == org["name"]  # type: ignore[index]


def test_a_deletion_is_applied_and_a_refused_change_is_held_alone(
        world: tuple[Instance, Instance, Instance], tmp_path: Path) -> None:
    source, _, follower = world
    add_source(follower, "http://127.0.0.1:9", source, tmp_path)
    org, offer = _offer(source)
    writer = PageWriter(follower.services.writes, "src")
    writer.apply([_change(1, org), _change(2, offer)], 2, utcnow())
    broken = {**offer, "id": "broken", "providedBy": {"reference": "Organization/absent"}}
    tally = writer.apply([_change(3, None, "HealthcareService", offer["id"]),
                          _change(4, broken)], 4, utcnow())
    assert (tally.deleted, tally.held) == (1, 1)
    assert follower.body("HealthcareService", offer["id"]) is None
    with follower.services.db.read() as conn:
        reasons = [r.reason for r in conn.execute(sa.select(federation_conflict))]
    assert len(reasons) == 1 and "Organization/absent" in reasons[0]


def test_precedence_decides_between_two_sources_and_local_resources(
        world: tuple[Instance, Instance, Instance], tmp_path: Path) -> None:
    source, second, follower = world
    add_source(follower, "http://127.0.0.1:9", source, tmp_path, "low", precedence=10)
    add_source(follower, "http://127.0.0.1:9", second, tmp_path, "high", precedence=20)
    org, offer = _offer(source)
    low, high = (PageWriter(follower.services.writes, n) for n in ("low", "high"))
    low.apply([_change(1, org), _change(2, offer)], 2, utcnow())
    # the higher source offers the same organisation: it takes it over
    taken = {**org, "name": "Nom de la source prioritaire"}
    assert high.apply([_change(1, taken)], 1, utcnow()).written == 1
    assert _owners(follower)[("Organization", org["id"])] == "high"
    # the lower one's later change is held, not applied
    tally = low.apply([_change(3, {**org, "name": "Ignoré"})], 3, utcnow())
    assert tally.held == 1
    assert follower.body("Organization", org["id"])["name"] == taken["name"]  # type: ignore[index]
    # an offer with the same functional identifier under another id: the higher one wins,
    # the lower one's copy is deleted
    twin = {**offer, "id": "twin-offer", "providedBy": {"reference": f"Organization/{org['id']}"}}
    assert high.apply([_change(2, twin)], 2, utcnow()).written == 1
    assert follower.body("HealthcareService", offer["id"]) is None
    assert follower.body("HealthcareService", "twin-offer") is not None
    # a local resource is never overwritten by a source
    local = follower.create(organization(name="Local", finess="840000001"))
    clash = {**org, "id": local}
    assert high.apply([_change(3, clash)], 3, utcnow()).held == 1
    assert follower.body("Organization", local)["name"] == "Local"  # type: ignore[index]
