"""The rules that compare the directory with FINESS: EX1.2, EX2, EX3–EX5, ST2, CO4 — each on a
conformant, a deviating and a not-applicable case."""

from __future__ import annotations

from tests.quality.rule_world import World, hospital, legal_entity, offer, site


def test_ex1_2_a_finess_site_of_the_perimeter_must_be_in_the_ror() -> None:
    world = World()
    hospital(world, "780000001", authorisations=(("01", "00"),))  # MCO, in the ROR
    world.registry("780000002", category="355", authorisations=(("50", "00"),))  # SMR, absent
    world.registry("780000003", category="500")  # EHPAD (medico-social), absent
    world.registry("780000004", category="355")  # sanitary without MCO/PSY/SMR: out
    world.registry("780000005", category="999")  # not tracked: out
    world.registry("780000006", category="500", state="closed")  # closed: out
    found = world.findings("EX1.2")
    assert found["finess:780000001"].state == "conformant"
    assert found["finess:780000002"].state == "deviating"
    assert "absent du ROR" in (found["finess:780000002"].detail or "")
    assert found["finess:780000003"].state == "deviating"
    assert {"finess:780000004", "finess:780000005", "finess:780000006"}.isdisjoint(found)


def test_ex2_open_and_closed_states_must_agree_with_finess() -> None:
    world = World()
    hospital(world, "780000001")  # open / open
    world.add("eg-2", site("780000002", "ej-780000000"))  # open in the ROR…
    world.registry("780000002", state="closed", closing="DEF")  # …closed in FINESS
    world.add("eg-3", site("780000003", "ej-780000000", closed="PRO"))
    world.registry("780000003", state="provisional", closing="PRO")  # both provisional
    world.add("eg-4", site("780000004", "ej-780000000", closed="PRO"))
    world.registry("780000004", state="closed", closing="DEF")  # DEF in FINESS, PRO here
    world.add("eg-5", site("780000005", "ej-780000000"))  # unknown to FINESS, open
    no_finess = site("780000006", "ej-780000000")
    no_finess["identifier"] = no_finess["identifier"][1:]
    world.add("eg-6", no_finess)  # no FINESS number: not applicable
    found = world.findings("EX2")
    assert found["Organization/eg-780000001"].state == "conformant"
    assert found["Organization/eg-2"].detail == ("ouvert dans le ROR, fermé définitivement "
                                                 "dans le FINESS")
    assert found["Organization/eg-3"].state == "conformant"
    assert found["Organization/eg-4"].state == "deviating"
    assert found["Organization/eg-5"].detail == "inconnu du FINESS"
    assert "Organization/eg-6" not in found


def test_ex3_to_ex5_authorised_resuscitation_must_be_described() -> None:
    world = World()
    described = hospital(world, "780000001", authorisations=(("15", "09"), ("03", "04")))
    world.add("hs-rea", offer(described, activities=("121",)))
    hospital(world, "780000002", ej="780000010", authorisations=(("15", "10"),))
    found = {rule: world.findings(rule) for rule in ("EX3", "EX4", "EX5")}
    assert found["EX3"]["finess:780000001"].state == "conformant"
    assert found["EX5"]["finess:780000001"].state == "deviating"  # no offer of activity 128
    assert "finess:780000001" not in found["EX4"]  # no paediatric authorisation
    assert found["EX4"]["finess:780000002"].state == "deviating"
    assert "finess:780000002" not in found["EX3"]


def test_st2_the_site_hangs_from_the_legal_entity_finess_gives() -> None:
    world = World()
    hospital(world, "780000001", ej="780000000")
    world.add("ej-other", legal_entity("780000099"))
    world.add("eg-2", site("780000002", "ej-other"))
    world.registry("780000002", ej="780000000")
    world.add("eg-3", site("780000003", "ej-780000000", closed="DEF"))  # closed: out
    world.registry("780000003", ej="780000000", state="closed")
    found = world.findings("ST2")
    assert found["Organization/eg-780000001"].state == "conformant"
    assert found["Organization/eg-2"].detail == ("entité juridique FINESS 780000099 dans le "
                                                 "ROR, 780000000 dans le FINESS")
    assert "Organization/eg-3" not in found


def test_co4_the_category_is_the_one_finess_gives() -> None:
    world = World()
    hospital(world, "780000001", category="355")
    world.add("eg-2", site("780000002", "ej-780000000", category="106"))
    world.registry("780000002", ej="780000000", category="355")
    world.add("eg-3", site("780000003", "ej-780000000", category="SA07"))  # cabinet: out
    world.registry("780000003", ej="780000000", category=None)
    found = world.findings("CO4")
    assert found["Organization/eg-780000001"].state == "conformant"
    assert found["Organization/eg-2"].detail == ("catégorie 106 dans le ROR, 355 dans le "
                                                 "FINESS")
    assert "Organization/eg-3" not in found


def test_without_any_finess_reference_the_finess_rules_are_not_evaluated() -> None:
    world = World()
    world.add("ej", legal_entity("780000000"))
    world.add("eg", site("780000001", "ej"))
    for rule in ("EX2", "ST2", "CO4", "CP4"):
        assert world.findings(rule) == {}
    assert world.state("ST3", "Organization/eg") == "conformant"
