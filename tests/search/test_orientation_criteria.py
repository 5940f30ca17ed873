"""Orientation's hard criteria beyond the activity (both databases): equipment with a weight
limit on the offer's places, specific acts, publics, open now; and what each result carries:
its opening hours and the contacts the caller may see. Given these offers near Laon, this
query gives this order and drops these offers for this criterion."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from openror.access.caller import ANONYMOUS, SYSTEM, Caller
from openror.errors import Forbidden
from openror.fhir.profiles import (
    EXT_ACT_TYPE,
    EXT_CONFIDENTIALITY,
    EXT_DAYS_OF_WEEK,
    EXT_EQUIPMENT,
    EXT_EQUIPMENT_LIMIT,
    EXT_HS_CONTACT,
    EXT_HS_CONTACT_TELECOM,
    EXT_TYPE_OF_TIME,
)
from openror.search.orientation import candidates, filters, pipeline
from openror.search.orientation.analyse import analyse_need, analyse_where
from openror.search.orientation.model import Coded, EquipmentNeed, Need
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.terminology import default_terminology
from tests.builders import coding, healthcare_service, organization, telecom
from tests.conftest import wipe
from tests.search.strategies import REGION
from tests.search.test_orientation_ranking import place

LAON, SOISSONS, SAINT_QUENTIN, CHAUNY, HIRSON = "02408", "02722", "02691", "02173", "02381"
#: Wednesday 25 November 2026, 10:00 in Paris
NOW = datetime(2026, 11, 25, 9, 0)
UCUM = "http://unitsofmeasure.org"
BED_250_350, BED_350_450 = "089", "090"
ACT = "0529"  # a TRE_R210 code of the ROR guide's examples (JDV_J16: pose d'anneau gastrique)


@dataclass(frozen=True)
class Kit:
    """Equipment of a place: type, count in service (None: not said), weight limit."""

    code: str
    count: int | None
    limit: tuple[float, str] | None  # (value, UCUM unit)


@dataclass(frozen=True)
class Spec:
    """An offer (cardiology) in one place, as the oracle reads it."""

    id: str
    place: str
    hours: str  # "24/7", "weekdays" 08:30–18:00, "night" 20:00–08:00, "none"
    publics: tuple[str, ...] = ()
    act: str | None = None  # "specificAct" or "outsideOfficeAct"


PLACES = {  # id -> (commune, equipment)
    "p-laon": (LAON, (Kit(BED_250_350, 2, (300, "kg")),)),
    "p-laon-plain": (LAON, ()),
    "p-soissons": (SOISSONS, (Kit(BED_250_350, 1, (180, "kg")),)),
    "p-stq": (SAINT_QUENTIN, (Kit(BED_250_350, 0, (400, "kg")),)),
    "p-chauny": (CHAUNY, (Kit(BED_350_450, 1, (450_000, "g")),)),
    "p-hirson": (HIRSON, (Kit(BED_250_350, None, None),)),
}
OFFERS = [
    Spec("bari-laon", "p-laon", "24/7", ("01",), "specificAct"),
    Spec("bari-soissons", "p-soissons", "weekdays", ("07",)),
    Spec("bari-stq", "p-stq", "24/7"),
    Spec("bari-chauny", "p-chauny", "24/7", act="outsideOfficeAct"),
    Spec("bari-hirson", "p-hirson", "none"),
    Spec("plain-laon", "p-laon-plain", "weekdays"),
    Spec("night-laon", "p-laon-plain", "night", ("02",)),
]


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"valueCodeableConcept": coding(system, code)}


def equipment(kit: Kit) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"url": "equipmentType", **_concept("TRE_R212-Equipement",
                                                                       kit.code)}]
    if kit.count is not None:
        parts.append({"url": "nbInService", "valueInteger": kit.count})
    if kit.limit is not None:
        parts.append({"url": EXT_EQUIPMENT_LIMIT, "extension": [
            {"url": "equipmentFeature", **_concept("TRE_R340-TypeCaracteristiqueEquipement",
                                                   "001")},
            {"url": "limitValue", "valueQuantity": {"value": kit.limit[0], "unit": kit.limit[1],
                                                    "system": UCUM, "code": kit.limit[1]}}]})
    return {"url": EXT_EQUIPMENT, "extension": parts}


def slot(day: int, start: str, end: str) -> dict[str, Any]:
    return {"extension": [{"url": EXT_TYPE_OF_TIME, **_concept("TRE_R252-TypeHoraire", "01")},
                          {"url": EXT_DAYS_OF_WEEK, "valueInteger": day}],
            "availableStartTime": start, "availableEndTime": end}


HOURS: dict[str, list[dict[str, Any]]] = {
    "24/7": [{"allDay": True}],
    "weekdays": [slot(d, "08:30:00", "18:00:00") for d in range(1, 6)],
    "night": [slot(d, "20:00:00", "08:00:00") for d in range(1, 8)],
    "none": [],
}


def contact(purpose: str, level: str, phone: str) -> dict[str, Any]:
    return {"url": EXT_HS_CONTACT, "extension": [
        {"url": "purposeContact", **_concept("TRE_R287-NatureContact", purpose)},
        {"url": EXT_CONFIDENTIALITY, **_concept("TRE_R283-NiveauConfidentialite", level)},
        {"url": EXT_HS_CONTACT_TELECOM, "extension": [
            *telecom(phone, "2", level)["extension"],
            {"url": "telecomAddress", "valueString": phone}]}]}


def offer(spec: Spec) -> dict[str, Any]:
    body = healthcare_service("Organization/eg", f"Location/{spec.place}") | {
        "id": spec.id, "name": f"Cardiologie {spec.id}",
        "specialty": [coding("TRE_R211-ActiviteOperationnelle", "013")]}
    body["extension"][1]["extension"][:0] = [
        {"url": "supportedPatientInfo", **_concept("TRE_R239-PublicPrisEnCharge", code)}
        for code in spec.publics]
    if spec.act:
        act = coding("TRE_R210-ActeSpecifique", ACT)
        act["extension"] = [{"url": EXT_ACT_TYPE, "valueCode": spec.act}]
        body["characteristic"].append(act)
    if HOURS[spec.hours]:
        body["availableTime"] = HOURS[spec.hours]
    if spec.id == "plain-laon":
        body["extension"] += [contact("06", "1", "0199000001"), contact("02", "2", "0199000002")]
        body["telecom"] = [telecom("plain-laon@hopital.mssante.fr", "3", "3")
                           | {"system": "email"}]
    return body


def world() -> list[dict[str, Any]]:
    places = []
    for pid, (commune, kits) in PLACES.items():
        body = place(pid, commune)
        body["extension"] += [equipment(k) for k in kits]
        places.append(body)
    return [organization() | {"id": "eg"}, *places, *(offer(s) for s in OFFERS)]


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


def orient(db: Database, text: str = "cardio", caller: Caller = SYSTEM, count: int = 10,
           **asked: str) -> pipeline.Outcome:
    return pipeline.orient(db, caller, analyse_need(text, **asked), analyse_where(LAON), NOW,
                           count)


#: (free text, parameters, expected order, dropped with the failed criterion)
RELEVANCE = [
    # in service, any weight; Saint-Quentin's beds are out of service; Chauny's are 090
    ("cardio", {"equipment": BED_250_350}, ["bari-laon", "bari-soissons", "bari-hirson"],
     {"bari-stq": "equipment"}),
    # Soissons bears 180 kg, Hirson does not say
    ("cardio", {"equipment": BED_250_350, "equipment_limit": "200"}, ["bari-laon"],
     {"bari-soissons": "equipment", "bari-stq": "equipment", "bari-hirson": "equipment"}),
    # Chauny's limit is in grams (450,000 g)
    ("cardio", {"equipment": "089,090", "equipment_limit": "400|kg"}, ["bari-chauny"],
     {"bari-laon": "equipment", "bari-soissons": "equipment", "bari-stq": "equipment",
      "bari-hirson": "equipment"}),
    ("cardio", {"equipment": "089,090", "equipment_limit": "400000|g"}, ["bari-chauny"],
     {"bari-laon": "equipment", "bari-soissons": "equipment", "bari-stq": "equipment",
      "bari-hirson": "equipment"}),
    # free text alone: the equipment is the need, whatever the activity
    ("lit bariatrique 200 kg", {}, ["bari-laon", "bari-chauny"],
     {"bari-soissons": "equipment", "bari-stq": "equipment", "bari-hirson": "equipment"}),
    # « tout public » takes every public; offers that say no public are not candidates
    ("cardio", {"public": "01"}, ["bari-laon", "bari-soissons"], {}),
    ("cardio", {"public": "02"}, ["night-laon", "bari-soissons"], {}),
    # a specific act, or the same act done outside the office
    ("cardio", {"act": ACT}, ["bari-laon", "bari-chauny"], {}),
    # Wednesday 10:00: the night service is closed, Hirson gives no hours
    ("cardio", {"open_now": "true"},
     ["bari-laon", "plain-laon", "bari-chauny", "bari-soissons", "bari-stq"],
     {"night-laon": "openNow", "bari-hirson": "openNow"}),
    ("cardio", {"open_now": "true", "equipment": BED_250_350}, ["bari-laon", "bari-soissons"],
     {"bari-stq": "equipment", "bari-hirson": "openNow"}),
]


@pytest.mark.parametrize(("text", "asked", "order", "dropped"), RELEVANCE)
def test_relevance(stored: Database, text: str, asked: dict[str, str], order: list[str],
                   dropped: dict[str, str]) -> None:
    outcome = orient(stored, text, **asked)
    assert [r.candidate.id for r in outcome.results] == order
    assert {d.id: d.criterion for d in outcome.dropped} == dropped


def _passes(spec: Spec, kinds: set[str], kg: float | None, public: str | None, act: bool,
            open_now: bool) -> bool:
    """An oracle written apart from the engine, on the world's specs."""
    grams = {"kg": 1.0, "g": 0.001}
    kits = [k for k in PLACES[spec.place][1] if k.code in kinds and k.count != 0]
    return ((not kinds or any(kg is None or (k.limit is not None and
                                             k.limit[0] * grams[k.limit[1]] >= kg)
                              for k in kits))
            and (public is None or public in spec.publics or "07" in spec.publics)
            and (not act or spec.act is not None)
            and (not open_now or spec.hours in ("24/7", "weekdays")))


@pytest.mark.parametrize("kit", [None, "089", "089,090"])
@pytest.mark.parametrize("kg", [None, "150", "300", "420"])
@pytest.mark.parametrize("public", [None, "01", "02", "03"])
@pytest.mark.parametrize(("act", "open_now"), [(False, False), (True, False), (False, True)])
def test_results_are_exactly_the_offers_that_break_no_hard_criterion(
        stored: Database, kit: str | None, kg: str | None, public: str | None, act: bool,
        open_now: bool) -> None:
    asked = {"equipment": kit, "equipment_limit": kg if kit else None, "public": public,
             "act": ACT if act else None, "open_now": "true" if open_now else None}
    outcome = orient(stored, count=50, **{k: v for k, v in asked.items() if v})
    kinds = set(kit.split(",")) if kit else set()
    expected = {s.id for s in OFFERS if _passes(s, kinds, float(kg) if kit and kg else None,
                                                 public, act, open_now)}
    assert {r.candidate.id for r in outcome.results} == expected


def test_explanations_tell_the_criteria_and_the_opening(stored: Database) -> None:
    outcome = orient(stored, equipment=BED_250_350, equipment_limit="200", public="01",
                     act=ACT)
    [first] = pipeline.explained(outcome, NOW)
    assert first["text"] == (
        "Cardiologie générale; à 0,0 km; acte spécifique : Pose d'anneau gastrique; "
        "public : Personnes âgées en perte d'autonomie (PA) et aidants; équipement : "
        "Lit d'hospitalisation obésité (poids entre 250 et 350 kg) - bariatrique, "
        "jusqu'à 300 kg; ouvert 24 h/24; disponibilité non renseignée.")
    assert [c["criterion"] for c in first["criteria"]] == [
        "activity", "act", "public", "equipment", "opening"]
    acts = orient(stored, act=ACT)
    assert acts.results[1].candidate.id == "bari-chauny"
    assert pipeline.explained(acts, NOW)[1]["criteria"][1] == {
        "criterion": "act", "text": "acte réalisé hors cabinet : Pose d'anneau gastrique"}


def test_why_not_names_the_failed_criterion(stored: Database) -> None:
    heavy = orient(stored, equipment=BED_250_350, equipment_limit="200")

    def why(outcome: pipeline.Outcome, rid: str) -> tuple[str, str]:
        found = pipeline.why_not(stored, SYSTEM, outcome, rid, NOW)
        return found.stage, found.reason.removeprefix("écartée par un critère impératif ")
    bed = "Lit d'hospitalisation obésité (poids entre 250 et 350 kg) - bariatrique"
    assert why(heavy, "bari-soissons") == (
        "filters", "(equipment) : l'équipement supporte au plus 180 kg, 200 kg demandés")
    assert why(heavy, "bari-stq") == (
        "filters", f"(equipment) : l'équipement demandé est hors service ({bed})")
    assert why(heavy, "bari-hirson") == (
        "filters", "(equipment) : limite de poids de l'équipement non renseignée (200 kg "
                   "demandés)")
    # not even a candidate (the search asks for the equipment), the reason is the same
    assert why(heavy, "plain-laon") == (
        "filters", f"(equipment) : aucun de ses lieux n'a l'équipement demandé ({bed})")
    now_open = orient(stored, open_now="true")
    assert why(now_open, "night-laon") == (
        "filters", "(openNow) : pas ouverte en ce moment (fermé, ouvre à 20 h)")
    assert why(now_open, "bari-hirson")[1].startswith("(openNow) : horaires non renseignés")
    assert why(orient(stored, public="01"), "bari-stq") == (
        "filters", "(public) : public accueilli non renseigné (Personnes âgées en perte "
                   "d'autonomie (PA) et aidants demandé)")
    assert why(orient(stored, act=ACT), "plain-laon") == (
        "filters", "(act) : acte demandé non proposé (Pose d'anneau gastrique)")


#: offer -> (open now, French text, next opening) at NOW
OPENING = {
    "bari-laon": (True, "ouvert 24 h/24", None),
    "plain-laon": (True, "ouvert jusqu'à 18 h", None),
    "night-laon": (False, "fermé, ouvre à 20 h", "2026-11-25T20:00:00+01:00"),
    "bari-hirson": (None, "horaires non renseignés", None),
}


def test_each_result_says_whether_it_is_open(stored: Database) -> None:
    results = {r.candidate.id: r.opening for r in orient(stored, count=20).results}
    for rid, (open_now, text, ahead) in OPENING.items():
        found = results[rid]
        assert found is not None
        assert (found.open_now, found.text) == (open_now, text)
        assert (found.next_opening.isoformat() if found.next_opening else None) == ahead
    assert results["plain-laon"].until.isoformat() == "2026-11-25T18:00:00+01:00"  # type: ignore[union-attr]


#: access profile -> the contacts of plain-laon it gets (confidentiality 1, 2, 3)
CONTACTS = [
    (SYSTEM, [("phone", "0199000001", "Standard"),
              ("phone", "0199000002", "Prise de rendez-vous"),
              ("email", "plain-laon@hopital.mssante.fr", "Courrier électronique")]),
    (Caller("pro", 2), [("phone", "0199000001", "Standard"),
                        ("phone", "0199000002", "Prise de rendez-vous")]),
    (ANONYMOUS, [("phone", "0199000001", "Standard")]),
]


@pytest.mark.parametrize(("caller", "expected"), CONTACTS)
def test_contacts_are_those_the_caller_may_see(stored: Database, caller: Caller,
                                               expected: list[tuple[str, str, str]]) -> None:
    results = {r.candidate.id: r for r in orient(stored, caller=caller, count=20).results}
    assert [(c.system, c.value, c.label) for c in results["plain-laon"].contacts] == expected
    assert results["bari-laon"].contacts == ()


@pytest.mark.parametrize(("asked", "expression"), [
    ({"equipment": BED_250_350}, "equipment"), ({"act": ACT}, "act")])
def test_a_profile_that_does_not_see_a_criterion_may_not_orient_on_it(
        stored: Database, asked: dict[str, str], expression: str) -> None:
    with pytest.raises(Forbidden) as caught:
        orient(stored, caller=ANONYMOUS, **asked)
    assert caught.value.issues[0].expression == (expression,)
    assert orient(stored, caller=Caller("pro", 2), **asked).results  # profile 2 sees them


def test_without_equipment_no_place_is_read_before_ranking(
        stored: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The filters need places for the equipment only; else the ranking reads those of the
    offers that can still enter the results (test_orientation_bound.py)."""
    reads: list[set[str]] = []
    read_before_filters: list[set[str]] = []
    load, apply = candidates.load_places, filters.apply

    def load_places(engine: Any, found: list[Any], kept: Any = None) -> None:
        reads.append({c.id for c in found})
        load(engine, found, kept)

    def filtering(need: Need, found: list[Any], now: datetime) -> Any:
        read_before_filters.append(set().union(*reads))
        return apply(need, found, now)
    monkeypatch.setattr(candidates, "load_places", load_places)
    monkeypatch.setattr(filters, "apply", filtering)
    orient(stored, count=1)
    assert read_before_filters == [set()] and reads  # read by the ranking only
    reads.clear()
    read_before_filters.clear()
    orient(stored, count=1, equipment=BED_250_350)
    # the search found the offers with the equipment (rare: in the whole country at once),
    # and only their places were read: not those of the other offers at Laon
    assert reads[0] == read_before_filters[0] == {"bari-laon", "bari-soissons", "bari-stq",
                                                  "bari-hirson"}


def test_the_search_asks_nothing_more_when_no_criterion_is_added() -> None:
    cardio = (Coded("013", "Cardiologie générale"),)
    assert [name for name, _ in candidates.search_pairs(Need(cardio), SYSTEM)] == ["specialty"]
    need = Need(cardio, acts=(Coded(ACT, "x"),), publics=(Coded("01", "x"),),
                equipment=EquipmentNeed((Coded(BED_250_350, "x"),), 200.0))
    assert candidates.search_pairs(need, SYSTEM)[1:] == [
        ("location.equipment-type", BED_250_350), ("characteristic", ACT),
        ("patient-type", "01,07")]


def test_care_mode_and_expertise_are_searched_in_the_systems_the_caller_sees() -> None:
    maternity = Need((Coded("100", "Obstétrique"),), care_modes=(Coded("32", "x"),),
                     expertise=(Coded("04", "x"),))
    r213, r253, r344 = (filters.CARE_MODE_SYSTEMS[0], *filters.EXPERTISE_SYSTEMS)
    assert candidates.search_pairs(maternity, SYSTEM)[1:] == [
        ("characteristic", f"{r213}|32"), ("characteristic", f"{r253}|04,{r344}|04")]
    # open data sees the maternity type, not the other expertise levels: asking for them
    # would be refused, and the offers it reads carry none
    assert candidates.search_pairs(maternity, ANONYMOUS)[1:] == [
        ("characteristic", f"{r213}|32"), ("characteristic", f"{r253}|04")]
