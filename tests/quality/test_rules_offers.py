"""The rules about offers: CO1, CO3, CP5, CP6, the population of each offer (PE) and OF1 —
each on a conformant, a deviating and a not-applicable case."""

from __future__ import annotations

from tests.quality.rule_world import World, hospital, offer, place


def test_co1_emergency_offers_are_named_and_authorised() -> None:
    world = World()
    sid = hospital(world, authorisations=(("14", "23"),))
    world.add("ok", offer(sid, name="Service des Urgences", activities=("157",),
                          care_modes=("33",)))
    world.add("unnamed", offer(sid, name="Accueil adultes", activities=("157",),
                               care_modes=("33",)))
    world.add("other-mode", offer(sid, name="Consultation", activities=("157",)))
    paediatric = hospital(world, "780000002", ej="780000020", authorisations=(("14", "24"),))
    world.add("adult-here", offer(paediatric, name="Urgences adultes", activities=("157",),
                                  care_modes=("33",)))
    world.add("child-here", offer(paediatric, name="Urgences pédiatriques",
                                  activities=("249",), care_modes=("33",)))
    found = world.findings("CO1")
    assert found["HealthcareService/ok"].state == "conformant"
    assert "ne contient pas « urgence »" in (found["HealthcareService/unnamed"].detail or "")
    assert "HealthcareService/other-mode" not in found
    assert "autorisation d'urgences adultes" in (
        found["HealthcareService/adult-here"].detail or "")
    assert found["HealthcareService/child-here"].state == "conformant"


def test_co3_sensitive_units_are_flagged_and_flags_are_justified() -> None:
    world = World()
    sid = hospital(world)
    world.add("uhsi", offer(sid, name="UHSI - unité hospitalière sécurisée", sensitive=True))
    world.add("unflagged", offer(sid, name="Unité pour détenus"))
    world.add("prison", offer(sid, name="Consultations", activities=("089",)))
    world.add("unjustified", offer(sid, name="Cardiologie", sensitive=True))
    world.add("plain", offer(sid, name="Cardiologie"))
    world.add("rehab", offer(sid, name="SMPR réadaptation"))
    ehpad = hospital(world, "780000002", ej="780000020", category="500")
    world.add("in-ehpad", offer(ehpad, name="Unité sécurisée Alzheimer"))
    found = world.findings("CO3")
    assert found["HealthcareService/uhsi"].state == "conformant"
    assert found["HealthcareService/unflagged"].state == "deviating"
    assert found["HealthcareService/prison"].state == "deviating"
    assert "sans que son nom" in (found["HealthcareService/unjustified"].detail or "")
    assert {"HealthcareService/plain", "HealthcareService/rehab",
            "HealthcareService/in-ehpad"}.isdisjoint(found)


def test_cp5_and_cp6_medico_social_offers_state_category_temporality_and_places() -> None:
    world = World()
    ime = hospital(world, "780000001", category="183")  # IME: any of modes 46–48
    world.add("full", place(installed=30))
    world.add("empty", place())
    world.add("complete", offer(ime, field="04", care_modes=("47",), category="10",
                                reception="01", places=("full",)))
    world.add("bare", offer(ime, field="04", care_modes=("46",), places=("empty",)))
    world.add("org-25", offer(ime, field="04", care_modes=("46",), category="25",
                              places=("empty",)))
    world.add("consult", offer(ime, field="04", care_modes=("32",)))
    ehpad = hospital(world, "780000002", ej="780000020", category="500")
    world.add("ehpad-47", offer(ehpad, field="04", care_modes=("47",), places=("full",)))
    cp5, cp6 = world.findings("CP5"), world.findings("CP6")
    assert cp5["HealthcareService/complete"].state == "conformant"
    assert cp5["HealthcareService/bare"].detail == ("manque : catégorie d'organisation, "
                                                    "temporalité d'accueil")
    assert "HealthcareService/consult" not in cp5
    assert "HealthcareService/ehpad-47" not in cp5  # elderly: mode 46 only
    assert cp6["HealthcareService/complete"].state == "conformant"
    assert cp6["HealthcareService/bare"].state == "deviating"
    assert "HealthcareService/org-25" not in cp6
    assert cp6["HealthcareService/ehpad-47"].state == "conformant"


def test_pe_population_of_an_offer_is_finalised_in_progress_or_to_do() -> None:
    world = World()
    sid = hospital(world)
    world.add("addressed", place())
    world.add("complete", offer(sid, places=("addressed",)))
    world.add("no-contact", offer(sid, places=("addressed",), with_contact=False))
    world.add("nothing", offer(sid, field="99", activities=("000",), care_modes=("00",),
                               ages=None, with_contact=False))
    world.add("closed", offer(sid, active=False))
    home = hospital(world, "780000002", ej="780000020", category="209")
    world.add("home", offer(home, places=("addressed",)))
    found = world.findings("PE")
    assert found["HealthcareService/complete"].state == "conformant"
    assert found["HealthcareService/no-contact"].state == "partial"
    assert found["HealthcareService/no-contact"].detail == (
        "manque : contact avec télécommunication")
    assert found["HealthcareService/nothing"].state == "deviating"  # unknown codes count as none
    assert "HealthcareService/closed" not in found
    assert found["HealthcareService/home"].detail == "manque : catégorie d'organisation"


def test_of1_an_age_range_goes_up() -> None:
    world = World()
    sid = hospital(world)
    world.add("ok", offer(sid, ages=(0, 18)))
    world.add("upside-down", offer(sid, ages=(65, 18)))
    world.add("none", offer(sid, ages=None))
    found = world.findings("OF1")
    assert found["HealthcareService/ok"].state == "conformant"
    assert found["HealthcareService/upside-down"].detail == "tranche d'âge 65–18 ans incohérente"
    assert "HealthcareService/none" not in found
