"""The rules about establishments: ST3, CO2, RE1.2 and CP4 — each on a conformant, a
deviating and a not-applicable case."""

from __future__ import annotations

from tests.quality.rule_world import (
    World,
    available,
    day,
    hospital,
    legal_entity,
    offer,
    place,
    site,
)


def test_st3_a_national_structure_id_is_unique_in_a_region() -> None:
    world = World()
    world.add("ej", legal_entity("780000000"))
    world.add("a", site("780000001", "ej", idnat="1780000001"))
    world.add("b", site("780000002", "ej", idnat="1780000001"))
    world.add("other-region", site("780000003", "ej", idnat="1780000001"), region="32")
    world.add("closed", site("780000004", "ej", idnat="1780000001", closed="DEF"))
    world.add("cabinet", site("780000005", "ej", category="SA07"))
    found = world.findings("ST3")
    assert found["Organization/a"].detail == "identifiant national 1780000001 aussi porté par b"
    assert found["Organization/b"].state == "deviating"
    assert found["Organization/other-region"].state == "conformant"
    assert found["Organization/ej"].state == "conformant"
    assert {"Organization/closed", "Organization/cabinet"}.isdisjoint(found)


def _maternity(world: World, sid: str, *kinds: str, level: str | None = "02",
               name: str = "Maternité") -> None:
    for n, activity in enumerate(kinds):
        world.add(f"{sid}-{n}", offer(sid, name=name, activities=(activity,),
                                      care_modes=("28",), maternity=level))


def test_co2_maternity_type_matches_offers_and_authorisations() -> None:
    world = World()
    type_2a = hospital(world, "780000001", authorisations=(("03", "01"), ("03", "02")))
    _maternity(world, type_2a, "100", "094")
    overstated = hospital(world, "780000002", ej="780000020", authorisations=(("03", "01"),))
    _maternity(world, overstated, "100", "094")
    hospital(world, "780000003", ej="780000030")  # no maternity offer: out
    found = world.findings("CO2")
    assert found["Organization/eg-780000001"].state == "conformant"
    assert found["Organization/eg-780000002"].detail == (
        "type déclaré 2A, autorisé 1, offres obstétrique/néonatologie/soins intensifs/"
        "réanimation oui/oui/non/non, nom « maternité » présent")
    assert "Organization/eg-780000003" not in found


def test_re1_2_enough_offers_are_changed_or_confirmed_within_the_year() -> None:
    world = World()
    small = hospital(world, "780000001")
    world.add("old", offer(small), updated=day("2025-01-01"))
    world.add("recent", offer(small), updated=day("2026-10-01"))
    stale = hospital(world, "780000002", ej="780000020")
    world.add("stale", offer(stale), updated=day("2025-01-01"))
    large = hospital(world, "780000003", ej="780000030")
    for n in range(8):
        world.add(f"large-{n}", offer(large), updated=day("2025-01-01"))
    world.confirmed["HealthcareService/large-0"] = day("2026-06-01")
    world.confirmed["HealthcareService/large-1"] = day("2026-06-01")
    hospital(world, "780000004", ej="780000040")  # no offer: conformant
    world.add("cabinet", site("780000005", "ej-780000040", category="SA05"))
    found = world.findings("RE1.2")
    assert found["Organization/eg-780000001"].state == "conformant"
    assert found["Organization/eg-780000002"].detail == (
        "0 offre(s) sur 1 à jour depuis un an, 1 attendue(s)")
    assert found["Organization/eg-780000003"].state == "conformant"  # 2 of 8 = 0.25
    assert found["Organization/eg-780000004"].state == "conformant"
    assert "Organization/cabinet" not in found
    world.confirmed.pop("HealthcareService/large-1")
    assert world.state("RE1.2", "Organization/eg-780000003") == "deviating"
    world.confirmed["Organization/eg-780000002"] = day("2026-11-01")  # « tout est à jour »
    assert world.state("RE1.2", "Organization/eg-780000002") == "conformant"


def test_cp4_establishment_population_per_field() -> None:
    world = World()
    world.add("addressed", place())
    done = hospital(world, "780000001", authorisations=(("01", "00"), ("50", "00")))
    world.add("mco", offer(done, field="01", places=("addressed",)))
    world.add("smr", offer(done, field="02", places=("addressed",), with_contact=False))
    ehpad = hospital(world, "780000002", ej="780000020", category="500")
    world.add("ehpad", offer(ehpad, field="04", places=("addressed",)))
    world.registry("780000003", category="500")  # not in the ROR: to do
    world.registry("780000004", category="999")  # not tracked
    found = world.findings("CP4")
    assert found["finess:780000001/MCO"].state == "conformant"
    assert found["finess:780000001/SMR"].state == "partial"
    assert "finess:780000001/PSY" not in found
    assert found["finess:780000002/PA"].state == "conformant"
    assert found["finess:780000003/PA"].state == "deviating"
    assert not any(unit.startswith("finess:780000004") for unit in found)


def test_re2_availability_figures_younger_than_the_activity_threshold() -> None:
    world = World()
    sid = hospital(world)
    figures = {"icu": "2026-11-26T00:00:00Z",  # 12 h: fresh for critical care (24 h)
               "icu-old": "2026-11-24T00:00:00Z",  # 60 h: stale for critical care
               "ward": "2026-11-24T00:00:00Z"}  # 60 h: fresh elsewhere (72 h)
    for rid, updated in figures.items():
        body = place()
        body["extension"].append(available(updated))
        world.add(rid, body)
    world.add("plain", place(installed=10))  # installed capacity only: out
    world.add("hs-icu", offer(sid, activities=("126",), places=("icu", "icu-old")))
    world.add("hs-ward", offer(sid, places=("ward", "plain")))
    found = world.findings("RE2")
    assert found["Location/icu"].state == "conformant"
    assert found["Location/icu-old"].detail == "1 chiffre(s) sur 1 plus ancien(s) que 24 h"
    assert found["Location/ward"].state == "conformant"
    assert "Location/plain" not in found
    assert found["Location/icu"].where.site == f"Organization/{sid}"


def test_a_closure_planned_for_later_leaves_the_site_open() -> None:
    world = World()
    hospital(world, "780000001")
    planned = site("780000002", "ej-780000000")
    planned["extension"][0]["valuePeriod"]["end"] = "2999-12-31"
    world.add("planned", planned)
    world.registry("780000002", ej="780000000")
    assert world.state("EX2", "Organization/planned") == "conformant"  # open in both
