"""« Tout est à jour » on both back-ends: a confirmation makes no version and moves no
change feed, covers a site's offers and places, and needs the right to edit the unit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openror.errors import Forbidden, InvalidInput, NotFound
from openror.quality.freshness import Freshness, last_confirmed
from openror.services.ownership import OWNERSHIP
from openror.store import quality_confirmations
from openror.store.database import Database
from openror.store.resources import read_current
from tests.quality import world
from tests.services.roles_world import CALLERS


@pytest.fixture
def freshness(db: Database) -> Freshness:
    world.load(db)
    return Freshness(db, OWNERSHIP)


def test_a_site_confirmation_covers_its_offers_and_places_without_a_version(
        freshness: Freshness, db: Database) -> None:
    world.age_offers(db, 400)
    position = world.feed_position(db)
    done = freshness.confirm("Organization/eg-a", CALLERS["referent-site"])
    assert done.units == ["Organization/eg-a", "Organization/unit-a", "HealthcareService/hs-a",
                          "Location/loc-a"]
    # hs-b uses loc-shared too: the referent of eg-a may not edit it, so may not confirm it
    assert done.skipped == ["Location/loc-shared"]
    assert world.feed_position(db) == position
    with db.read() as conn:
        stored = read_current(conn, "HealthcareService", "hs-a")
        assert stored is not None and stored.version == 1
        confirmed = quality_confirmations.confirmed_at(conn)
        assert set(confirmed) == set(done.units)
        assert last_confirmed(conn, "HealthcareService/hs-a") == done.at
        aged = last_confirmed(conn, "HealthcareService/hs-b")  # not confirmed: its change
        assert aged is not None and aged < done.at - timedelta(days=399)


def test_an_offer_confirmation_and_a_later_one(freshness: Freshness, db: Database) -> None:
    first = freshness.confirm("HealthcareService/hs-p", CALLERS["professional"])
    assert first.units == ["HealthcareService/hs-p", "Location/loc-p"] and first.skipped == []
    again = freshness.confirm("HealthcareService/hs-p", CALLERS["operator"])
    with db.read() as conn:
        assert quality_confirmations.confirmed_at(conn, ["HealthcareService/hs-p",
                                                         "HealthcareService/hs-q"]) == {
            "HealthcareService/hs-p": again.at}


@pytest.mark.parametrize(("who", "unit"), [
    ("referent-site", "Organization/eg-b"),  # another site
    ("professional", "HealthcareService/hs-a"),  # an offer shared with another professional
    ("no-role", "HealthcareService/hs-p"),
    ("operator", "Organization/eg-84"),  # another region: the operator cannot see it either
])
def test_out_of_scope_is_refused(freshness: Freshness, db: Database, who: str,
                                 unit: str) -> None:
    with pytest.raises((Forbidden, NotFound)) as refused:
        freshness.confirm(unit, CALLERS[who])
    assert refused.value.status == (404 if who == "operator" else 403)
    with db.read() as conn:
        assert quality_confirmations.confirmed_at(conn) == {}


def test_bad_units(freshness: Freshness) -> None:
    for unit in ("Patient/x", "Organization/", "eg-a", None, 12):
        with pytest.raises(InvalidInput) as refused:
            freshness.confirm(unit, CALLERS["admin"])
        assert refused.value.issues[0].expression == ("unit",)
    with pytest.raises(NotFound):
        freshness.confirm("Organization/nope", CALLERS["admin"])


def test_site_freshness(freshness: Freshness, db: Database) -> None:
    world.age_offers(db, 400, "hs-a")
    shown = freshness.of_site("Organization/eg-a", CALLERS["referent-site"], 365)
    assert shown["name"] == "Site A" and shown["canConfirm"] is True
    [offer] = shown["offers"]
    assert offer["unit"] == "HealthcareService/hs-a" and offer["overdue"] is True
    assert offer["lastConfirmation"] is None and offer["lastConfirmed"] == offer["lastChange"]
    freshness.confirm("Organization/eg-a", CALLERS["referent-site"])
    [offer] = freshness.of_site("Organization/eg-a", CALLERS["referent-ej"], 365)["offers"]
    assert offer["overdue"] is False and offer["lastConfirmed"] == offer["lastConfirmation"]
    assert freshness.of_site("Organization/eg-a", CALLERS["no-role"], 365)["canConfirm"] \
        is False
