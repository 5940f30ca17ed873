"""Orientation on a small world (both databases): given these offers and places, this query
gives this order; no result breaks a hard criterion; every result says why it is there, and a
named offer says why it is not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.geo.current import current_gazetteer
from openror.search.engine import SearchEngine
from openror.search.orientation import candidates, pipeline
from openror.search.orientation.analyse import analyse_need, analyse_where
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import utcnow
from openror.terminology import default_terminology
from tests.builders import coding, healthcare_service, location, organization
from tests.capacity.feed_fixture import available
from tests.conftest import wipe
from tests.search.strategies import REGION

VERSAILLES, SAINT_GERMAIN, RAMBOUILLET, CHARTRES, LYON = (
    "78646", "78551", "78517", "28085", "69123")


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


def place(rid: str, commune: str, *records: dict[str, Any]) -> dict[str, Any]:
    lat, lon = current_gazetteer().point(commune) or (0.0, 0.0)
    body = location(commune, f"Lieu {rid}") | {"id": rid,
                                                "position": {"latitude": lat, "longitude": lon}}
    body["extension"] += records
    return body


def offer(rid: str, activity: str, place_id: str, *, name: str = "", ages: tuple[int, int] =
          (0, 120), care_mode: str = "32", expertise: str | None = None,
          closed: bool = False) -> dict[str, Any]:
    body = healthcare_service("Organization/eg", f"Location/{place_id}", care_mode) | {
        "id": rid, "name": name or rid,
        "specialty": [coding("TRE_R211-ActiviteOperationnelle", activity)]}
    body["extension"][1]["extension"][0]["valueRange"]["low"]["value"] = ages[0]
    body["extension"][1]["extension"][0]["valueRange"]["high"]["value"] = ages[1]
    if expertise:
        body["characteristic"].append(coding("TRE_R253-TypeMaternite", expertise))
    if closed:
        body["notAvailable"] = [{"id": "closingReopeningDate",
                                 "description": "Date de fermeture et de réouverture",
                                 "during": {"start": ago(48)[:10]}}]
    return body


def world() -> list[dict[str, Any]]:
    return [
        organization() | {"id": "eg"},
        place("p-versailles", VERSAILLES, available(0, updated=ago(1))),
        place("p-sgl", SAINT_GERMAIN, available(3, updated=ago(2))),
        place("p-rambouillet", RAMBOUILLET),
        place("p-chartres", CHARTRES, available(5, updated=ago(200))),
        place("p-lyon", LYON),
        offer("cardio-versailles", "013", "p-versailles", ages=(18, 120)),
        offer("cardio-sgl", "013", "p-sgl", ages=(16, 120)),
        offer("cardio-child", "014", "p-versailles", ages=(0, 17)),
        offer("cardio-closed", "013", "p-versailles", closed=True),
        offer("cardio-chartres", "013", "p-chartres"),
        offer("ophtalmo-lyon", "103", "p-lyon"),
        offer("mater-3", "100", "p-rambouillet", expertise="04", care_mode="28"),
        offer("mater-2a", "100", "p-versailles", expertise="02", care_mode="28"),
        offer("kine", "339", "p-versailles", name="Cabinet de kinésithérapie"),
        offer("kine-child", "339", "p-rambouillet", name="Kinésithérapie pédiatrique"),
    ]


@pytest.fixture(scope="module")
def stored(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    wipe(db)
    writes = WritePath(db, default_terminology(), REGION)
    for body in world():
        writes.update(body["resourceType"], body["id"], body, LogEntry(actor="test"),
                      caller=SYSTEM)
    yield db
    db.dispose()


def run(db: Database, text: str = "", *, commune: str = VERSAILLES, count: int = 10,
        **need: str) -> pipeline.Outcome:
    return pipeline.orient(db, SYSTEM, analyse_need(text or None, **need),
                           analyse_where(commune), utcnow(), count)


#: (free text, extra need, expected order, left out with the failed criterion: by the filters,
#: or by the candidate search when the criterion is one it can ask — « why not » tells both)
RELEVANCE = [
    # Saint-Germain is 15 km away but has 3 beds; Versailles is here with none
    ("cardio", {"age": "45"}, ["cardio-sgl", "cardio-versailles", "cardio-chartres"],
     {"cardio-child": "age", "cardio-closed": "closed"}),
    ("cardio", {"age": "8"}, ["cardio-child", "cardio-chartres"],
     {"cardio-versailles": "age", "cardio-sgl": "age", "cardio-closed": "closed"}),
    ("kiné pédiatrique", {}, ["kine-child", "kine"], {}),
    ("kinésithérapeute", {}, ["kine", "kine-child"], {}),
    ("maternite niveau 3", {}, ["mater-3"], {"mater-2a": "expertise"}),
    ("ophtalmo", {}, ["ophtalmo-lyon"], {}),  # rare: national at once
    ("cardio", {"care_mode": "29"}, [],
     {"cardio-versailles": "careMode", "cardio-sgl": "careMode", "cardio-child": "careMode",
      "cardio-closed": "closed", "cardio-chartres": "careMode"}),
]


@pytest.mark.parametrize(("text", "extra", "order", "dropped"), RELEVANCE)
def test_relevance(stored: Database, text: str, extra: dict[str, str], order: list[str],
                   dropped: dict[str, str]) -> None:
    outcome = pipeline.orient(stored, SYSTEM, analyse_need(text, **extra),
                              analyse_where(VERSAILLES), utcnow(), 10)
    assert [r.candidate.id for r in outcome.results] == order
    assert {d.id for d in outcome.dropped} <= dropped.keys()
    for offer_id, criterion in dropped.items():
        why = pipeline.why_not(stored, SYSTEM, outcome, offer_id, utcnow())
        assert (why.stage, f"({criterion})" in why.reason) == ("filters", True), why


def _breaks_hard_criterion(body: dict[str, Any], age: float | None, mode: str | None) -> bool:
    """An oracle written apart from the engine's filters."""
    ages = body["extension"][1]["extension"][0]["valueRange"]
    modes = {c["code"] for cc in body["characteristic"] for c in cc["coding"]}
    return (body.get("active") is False or "notAvailable" in body
            or (age is not None and not ages["low"]["value"] <= age <= ages["high"]["value"])
            or (mode is not None and mode not in modes))


@pytest.mark.parametrize("age", [None, 0, 8, 16, 17, 18, 45, 120])
@pytest.mark.parametrize("mode", [None, "32", "28"])
@pytest.mark.parametrize("text", ["cardio", "maternité", "kiné"])
def test_no_result_breaks_a_hard_criterion(stored: Database, text: str, age: int | None,
                                           mode: str | None) -> None:
    need = {"age": str(age)} if age is not None else {}
    if mode:
        need["care_mode"] = mode
    outcome = run(stored, text, count=50, **need)
    bodies = {b["id"]: b for b in world() if b["resourceType"] == "HealthcareService"}
    asked = {a.code for a in outcome.need.activities}
    for ranked in outcome.results:
        assert not _breaks_hard_criterion(ranked.candidate.body, age, mode)
    # and every offer of the activity that breaks none is returned (all are in range)
    expected = {rid for rid, b in bodies.items()
                if b["specialty"][0]["coding"][0]["code"] in asked
                and not _breaks_hard_criterion(b, age, mode)}
    assert {r.candidate.id for r in outcome.results} == expected


def test_explanations_say_why_each_result_is_there(stored: Database) -> None:
    outcome = run(stored, "cardio", age="45")
    first, _, far = pipeline.explained(outcome, utcnow())
    assert first["text"].startswith("Cardiologie générale; à 15,4 km; ")
    assert "accueille les patients de 16–120 ans" in first["text"]
    assert "3 lits ou places disponibles, mis à jour il y a 2 h" in first["text"]
    assert {c["criterion"] for c in first["criteria"]} == {"activity", "age", "opening"}
    assert "horaires non renseignés" in first["text"]
    assert "(donnée ancienne, à vérifier)" in far["text"]  # 200 h old
    assert outcome.results[2].availability.stale is True


def test_why_not(stored: Database) -> None:
    outcome = run(stored, "cardio", age="45")
    now = utcnow()

    def why(rid: str) -> tuple[str, str]:
        found = pipeline.why_not(stored, SYSTEM, outcome, rid, now)
        return found.stage, found.reason
    assert why("cardio-sgl") == ("returned", "retournée, au rang 1")
    assert why("cardio-child") == ("filters", "écartée par un critère impératif (age) : "
                                   "l'offre accueille les patients de 0–17 ans, le patient "
                                   "a 45 ans")
    assert why("cardio-closed")[1].startswith("écartée par un critère impératif (closed) : "
                                              "l'offre est fermée depuis le ")
    assert why("kine") == ("analyse", "son activité ne correspond pas à la demande "
                                      "(Cardiologie générale ou Cardiologie interventionnelle)")
    assert why("nobody") == ("unknown", "offre inconnue, ou que votre profil d'accès ne "
                                        "permet pas de voir")
    short = run(stored, "cardio", age="45", count=1)
    assert pipeline.why_not(stored, SYSTEM, short, "cardio-versailles", now).reason == \
        "classée 2e, au-delà des 1 résultats demandés"


def test_the_radius_grows_until_enough_results(stored: Database,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candidates, "RARE_OFFERS", 0)  # the world is small: nothing is rare
    # département 78 has fewer than 100 places here: the first radius is 40 km
    one = run(stored, "cardio", age="45", count=1)
    assert (one.scope.start_km, one.scope.radius_km) == (40, 40)
    assert "cardio-chartres" not in one.seen  # 60 km away
    why = pipeline.why_not(stored, SYSTEM, one, "cardio-chartres", utcnow())
    assert why.stage == "candidates" and "au-delà du rayon de recherche (40 km)" in why.reason
    three = run(stored, "cardio", age="45", count=3)
    assert three.scope.radius_km == 80
    assert [r.candidate.id for r in three.results][-1] == "cardio-chartres"
    far = run(stored, "ophtalmo")  # Lyon: beyond 200 km, then national
    assert far.scope.national and [r.candidate.id for r in far.results] == ["ophtalmo-lyon"]


def test_a_radius_with_a_decimal_is_written_the_french_way(stored: Database,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # a dense département starts at 2.5 km (Paris): « 2,5 km », not « 2.5 km »
    monkeypatch.setattr(candidates, "RARE_OFFERS", 0)
    monkeypatch.setattr(candidates, "SPARSE_RADIUS_KM", 2.5)
    one = run(stored, "cardio", age="45", count=1)
    assert one.scope.radius_km == 2.5
    why = pipeline.why_not(stored, SYSTEM, one, "cardio-chartres", utcnow())
    assert "au-delà du rayon de recherche (2,5 km)" in why.reason


def test_offers_for_other_ages_do_not_hide_a_farther_one(stored: Database,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Nationally only the nearest offers are read: those whose age range excludes the
    patient are left out by the search itself, not read then dropped. Here the three
    nearest cardiology offers of a child of 8 are at Versailles (one for children, one
    closed, one for adults); Chartres, 60 km away, takes every age."""
    monkeypatch.setattr(candidates, "RARE_OFFERS", 100)  # the country searched at once
    monkeypatch.setattr(candidates, "NATIONAL_CANDIDATES", 3)
    outcome = run(stored, "cardio", age="8")
    assert outcome.scope.national
    assert [r.candidate.id for r in outcome.results] == ["cardio-child", "cardio-chartres"]
    assert "cardio-versailles" not in outcome.seen and "cardio-sgl" not in outcome.seen


@pytest.mark.parametrize(("text", "commune"), [
    ("cardio", VERSAILLES), ("ophtalmo", VERSAILLES), ("cardio", LYON),
    ("maternité", VERSAILLES)])
def test_widening_gives_each_radius_what_its_own_search_finds(
        stored: Database, monkeypatch: pytest.MonkeyPatch, text: str, commune: str) -> None:
    """After the first radius, the country's offers are read once and cut by radius
    (``candidates.Widening``): the same candidates, nearest first, as a search per radius."""
    monkeypatch.setattr(candidates, "RARE_OFFERS", 0)
    engine = SearchEngine(stored, SYSTEM)
    need, where = analyse_need(text), analyse_where(commune)
    widening = candidates.Widening(engine, need, where)
    for scope in candidates.scopes(engine, need, where):
        searched = candidates.candidates(engine, need, where, scope)
        assert [(c.id, c.distance_km) for c in widening.of(scope)] == \
            [(c.id, c.distance_km) for c in searched], scope


def _shown(outcome: pipeline.Outcome) -> list[tuple[Any, ...]]:
    return [(r.candidate.id, r.score, r.availability, [p["id"] for p in r.candidate.places])
            for r in outcome.results]


@pytest.mark.parametrize("count", [1, 2, 3, 10])
@pytest.mark.parametrize(("text", "extra"), [(t, e) for t, e, _, _ in RELEVANCE])
def test_reading_the_places_of_the_best_only_changes_no_result(
        stored: Database, text: str, extra: dict[str, str], count: int) -> None:
    need, where, now = analyse_need(text, **extra), analyse_where(VERSAILLES), utcnow()
    bounded = pipeline.orient(stored, SYSTEM, need, where, now, count)
    every = pipeline.orient(stored, SYSTEM, need, where, now, count, exhaustive=True)
    assert _shown(bounded) == _shown(every)
    assert pipeline.explained(bounded, now) == pipeline.explained(every, now)


def test_why_not_tells_the_true_rank_of_an_offer_whose_places_were_not_read(
        stored: Database) -> None:
    outcome = run(stored, "cardio", age="45", count=1)
    assert pipeline.why_not(stored, SYSTEM, outcome, "cardio-chartres", utcnow()).reason == \
        "classée 3e, au-delà des 1 résultats demandés"
