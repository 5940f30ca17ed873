"""What an entry template makes of a form's fields (web.template_forms), on the bundled
templates: shown, required, read-only, preset; the profile's mandatory elements always
shown; a block's questions do not make the block required; the record on an offer."""

from __future__ import annotations

from openror.fhir import profiles as p
from openror.templates import Questionnaire, by_step
from openror.templates import applicable_fields as template_fields
from openror.templates.bundled import bundled_templates
from openror.web import template_forms as tf
from openror.web.editor import template_use as editor
from openror.web.entry import fields as entry_fields
from openror.web.entry import template_use as entry

MCO, GP = (Questionnaire(b["id"], 1, b) for b in bundled_templates())


def shown(applied: tf.Applied) -> set[str]:
    return {name for name, rule in applied.rules.items() if rule.shown}


def test_the_city_template_in_the_guided_entry() -> None:
    applied = tf.apply(GP, entry.KEYS, entry.built_in)
    assert applied.used == tf.Used("openror-offre-de-ville-medecine-generale",
                                   "Cabinet de ville de médecine générale", "1",
                                   "https://openror.org/fhir/Questionnaire/offre-de-ville-"
                                   "medecine-generale|1")
    assert shown(applied) == {k.name for k in entry.KEYS} - {"comment"}
    care = applied.rule("care_mode")
    assert (care.read_only, care.required, care.preset) == (True, False, "32")
    assert applied.rule("modalities").required and applied.rule("line").required
    # the ages are no required item, but the profile requires the age range
    assert applied.rule("age_min").required
    # contacts and hours: questions required in each block, the blocks themselves optional
    assert not applied.rule("contacts").required and not applied.rule("hours").required
    assert not applied.rule("equipment").required


def test_the_entry_s_steps_are_the_template_s() -> None:
    """Each field the entry draws sits in the step the template puts its item in."""
    steps = {f.link_id: n for n, found in by_step(template_fields(GP)).items()
             for f in found}
    for f in entry_fields.FIELDS:
        if f.link_id in steps:
            assert steps[f.link_id] == f.step, f.key


def test_the_mco_excerpt_keeps_what_the_profile_requires() -> None:
    applied = tf.apply(MCO, editor.KEYS, editor.built_in)
    assert shown(applied) == {"nom", "champ", "activite", "mode", "age_min", "age_max",
                              "sensible"}
    assert applied.rule("champ").required and applied.rule("sensible").preset == ""
    assert editor.folded(applied)[:3] == ["categorie", "modalites", "temporalite"]


def test_without_a_template_the_built_in_list() -> None:
    applied = tf.apply(None, entry.KEYS, entry.built_in)
    assert applied.used is None and shown(applied) == {k.name for k in entry.KEYS}
    assert applied.rule("care_mode").read_only and applied.rule("modalities").required


def test_the_written_offer_records_its_template_once() -> None:
    body = {"resourceType": "HealthcareService", "extension": [
        {"url": p.EXT_TEMPLATE, "valueCanonical": "https://example.org/Questionnaire/x|1"},
        {"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False}]}
    stamped = tf.stamp(body, "https://example.org/Questionnaire/y|2")
    assert stamped["extension"] == [
        {"url": p.EXT_SENSITIVE_UNIT, "valueBoolean": False},
        {"url": p.EXT_TEMPLATE, "valueCanonical": "https://example.org/Questionnaire/y|2"}]
    assert body["extension"][0]["valueCanonical"].endswith("x|1")  # not changed in place


def test_enable_when_becomes_a_condition_on_the_form_s_own_field() -> None:
    zone = tf.apply(GP, entry.KEYS, entry.built_in).rule("zone")
    assert zone.enable_when == (tf.Condition("modalities", "=", "05"),)
    assert not zone.enabled({"modalities": ["03", "04"]})
    assert zone.enabled({"modalities": ["03", "05"]})
    editor_rules = tf.apply(GP, editor.KEYS, editor.built_in)
    assert editor_rules.rule("zones").enabled({"modalites": ("05",)})
    assert not editor_rules.rule("zones").enabled({"modalites": ()})
    # the closing dates apply once a closing type is chosen (« exists »)
    dates = editor_rules.rule("fermeture_debut")
    assert not dates.enabled({"fermeture_type": ""}) and dates.enabled({"fermeture_type": "PRO"})
    # the guided entry has no closing type: the condition on it is left aside
    assert tf.apply(GP, entry.KEYS, entry.built_in).rule("closure_start").enabled({})


def test_condition_operators() -> None:
    def holds(operator: str, answer: str, value: object) -> bool:
        return tf.Rule(enable_when=(tf.Condition("x", operator, answer),)).enabled(
            {"x": value})
    assert holds("exists", "false", "") and not holds("exists", "false", "a")
    assert holds("!=", "05", ["03"]) and not holds("!=", "05", ["05"])
    assert holds(">=", "18", "18") and not holds("<", "18", "20,5")
    assert not holds(">", "1", "")  # nothing to compare: does not hold
    both = tf.Rule(enable_when=(tf.Condition("x", "=", "1"), tf.Condition("y", "=", "2")),
                   enable_any=True)
    assert both.enabled({"x": "0", "y": "2"}) and not both.enabled({"x": "0", "y": "0"})


def test_initial_values_prefill_a_new_offer_of_the_editor() -> None:
    rules = tf.apply(GP, editor.KEYS, editor.built_in)
    values = {"age_min": "", "age_max": "", "publics": (), "nom": ""}
    filled = editor.prefilled(rules, values)
    assert (filled["age_min"], filled["age_max"], filled["publics"]) == ("0", "150", ("07",))
    # a value already there is kept
    assert editor.prefilled(rules, {**values, "age_min": "16"})["age_min"] == "16"


def test_initial_values_prefill_the_empty_fields_of_a_new_draft() -> None:
    data = {"offers": [{"id": "o1", "place": None, "site": "s"}], "places": [],
            "sites": [{"key": "s", "offers": ["o1"]}],
            "values": {"o:o1": {"age_min": "", "age_max": "99", "publics": []},
                       "s:s": {"contacts": []}},
            "forms": {"o1": entry._applied(GP, {})}}
    entry.prefill(data)
    assert data["values"]["o:o1"] == {"age_min": "0", "age_max": "99", "publics": ["07"]}
    # the rules kept in the draft carry the conditions (drafts of before: 4 items)
    assert entry.forms(data).offer("o1").enabled("zone", {"modalities": ["05"]})
    assert entry._rule([True, False, False, ""]).enable_when == ()
