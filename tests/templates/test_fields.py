"""The fields a template asks for (``openror.templates.applicable_fields``): what the guided
entry and the referent's editor show, in which step, and what they may not edit."""

from __future__ import annotations

from openror.templates import EnableWhen, Field, Option, applicable_fields, by_step
from openror.templates.bundled import bundled_templates

GP = bundled_templates()[1]
J226 = "https://mos.esante.gouv.fr/NOS/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil"


def _fields() -> dict[str, Field]:
    return {f.link_id: f for f in applicable_fields(GP)}


def test_the_gp_template_covers_the_five_steps_that_ask_something() -> None:
    steps = {step: [f.link_id for f in fields]
             for step, fields in by_step(applicable_fields(GP)).items()}
    assert sorted(steps) == [1, 2, 3, 4, 5]
    assert {"profession", "specialite", "secteurConventionnement", "idNat_PS", "nom-EG",
            "categorieEG", "IdentifiantOffre"} <= set(steps[1])
    assert {"NomOffre", "modePriseEnCharge", "activiteOperationnelle", "acteSpecifique",
            "CompetenceSpecifique", "ageMin", "ageMax", "equipmentType"} <= set(steps[2])
    assert {"ModalAccueil", "ZoneInter", "adresseLieu", "communeCog",
            "accessibiliteLieu-EG"} <= set(steps[3])
    assert {"contactEG", "valeurContact", "confidentialiteContact", "boiteLettreMSS"} \
        <= set(steps[4])
    assert {"typePlageHoraire", "jourSemaine", "availableStartTime", "typeFermeture"} \
        <= set(steps[5])


def test_registry_data_are_read_only_and_shown_first() -> None:
    fields = _fields()
    for link_id in ("profession", "idNat_PS", "numFINESS-EG", "categorieEG", "specialite"):
        assert fields[link_id].read_only and fields[link_id].step == 1, link_id
    assert all(f.read_only for f in fields.values() if f.step == 1)
    # the care mode is preset (consultation) and cannot be changed, but describes the offer
    care = fields["modePriseEnCharge"]
    assert care.read_only and care.step == 2 and care.required
    assert care.options == (Option(care.options[0].system, "32", "Consultation (CS)", True),)
    assert not fields["NomOffre"].read_only and fields["NomOffre"].required


def test_fields_say_where_the_answer_goes_and_which_codes_it_takes() -> None:
    fields = _fields()
    acts = fields["acteSpecifique"]
    assert acts.path == "HealthcareService.characteristic:specificAct"
    assert acts.resource_type == "HealthcareService"
    assert acts.repeats and not acts.required and len(acts.options) == 32
    assert fields["profession"].value_set.endswith("/JDV-J229-ProfessionSante-ROR")
    assert fields["profession"].resource_type == "Practitioner"
    activity = fields["activiteOperationnelle"]
    assert not activity.repeats  # one operational activity per offer (profile 1..1)
    assert ("437", "Médecine générale") in {(o.code, o.display) for o in activity.options}
    assert fields["communeCog"].path == "Location.extension:ror-commune-cog.value[x]"


def test_the_intervention_zone_depends_on_home_visits() -> None:
    zone = _fields()["ZoneInter"]
    assert zone.enable_when == (EnableWhen("ModalAccueil", "=", f"{J226}|05"),)
    assert zone.step == 3
    modalities = {o.code for o in _fields()["ModalAccueil"].options}
    assert {"03", "04", "05", "10"} <= modalities  # office, teleconsultation, home, tele-expertise


def test_repeating_blocks_and_help_texts() -> None:
    fields = _fields()
    assert fields["availableStartTime"].groups == ("TypeOffreInfo", "Horaires", "Heures")
    assert fields["availableStartTime"].repeating_group == "Heures"
    assert fields["jourSemaine"].repeating_group == "Horaires"
    assert fields["confidentialiteContact"].repeating_group == "contactOffre"
    assert fields["confidentialiteContact"].required
    assert fields["NomOffre"].repeating_group is None
    assert "Visible des professionnels" in fields["acteSpecifique"].help
    assert all(f.help for f in fields.values() if not f.read_only and f.step in (2, 3)
               and f.repeating_group is None), "every editable field of the offer explains itself"


def test_hidden_items_are_left_out_unless_asked_for() -> None:
    assert "champActivite" not in _fields()
    hidden = {f.link_id: f for f in applicable_fields(GP, include_hidden=True) if f.hidden}
    assert set(hidden) == {"champActivite", "uniteSensible"}
    assert hidden["uniteSensible"].initial == (False,) and hidden["uniteSensible"].step is None


def test_the_official_ms_141_template() -> None:
    fields = {f.link_id: f for f in applicable_fields(bundled_templates()[0])}
    assert fields["Hs1.name"].path == "HealthcareService.name" and fields["Hs1.name"].required
    assert fields["Hs1.name"].groups == ("Hs1", "cing#Hs1.informationsGenerales")
    assert fields["Hs1.id"].read_only and fields["Hs1.id"].step == 1
    assert "Hs1.meta.extension:ror-meta-nom-questionnaire.url" not in fields  # hidden
    assert fields["Hs1.type.coding"].options[0].code == "01"
