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
