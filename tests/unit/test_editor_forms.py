"""The establishment editor's forms without a database: what a form writes back (only the
fields that changed, everything else kept as stored), how typed text becomes a NOS code,
how a conflict is merged, and where a validation issue is shown."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from openror.fhir import profiles as p
from openror.terminology import default_terminology
from openror.web.editor import messages, model, offer_form, place_form
from openror.web.editor.model import Field
from openror.web.editor.vocab import code_of
from tests.api.search_fixture import equipment, place
from tests.services.roles_world import _offer

R210 = offer_form.R210


def offer() -> dict[str, Any]:
    body = _offer("hs-x", "eg-x", "loc-x")
    body["extension"].append({"url": p.EXT_HS_CONTACT, "extension": [
        {"url": "description", "valueString": "Secrétariat"}]})
    body["characteristic"].append({"extension": [{"url": p.EXT_ACT_TYPE,
                                                  "valueCode": "outsideOfficeAct"}],
                                   "coding": [{"system": R210, "code": "0529"}]})
    body["availableTime"] = [{"availableStartTime": "08:00:00"}]
    return body


def test_an_unchanged_form_writes_back_the_very_same_body() -> None:
    body = offer()
    out, errors = offer_form.apply(body, offer_form.values_of(body))
    assert out == body and errors == {}


def test_only_the_changed_fields_are_written_and_the_rest_is_kept() -> None:
    body = offer()
    values = offer_form.values_of(body)
    values.update(nom="Nouvelle offre", actes=("0172",), publics=("07",), age_max="65")
    out, _ = offer_form.apply(body, values)
    assert out["name"] == "Nouvelle offre"
    kept = [c for c in out["characteristic"] if c["coding"][0]["code"] == "0529"]
    assert kept and kept[0]["extension"][0]["valueCode"] == "outsideOfficeAct"  # not ours
    acts = [c for c in out["characteristic"] if c["coding"][0]["code"] == "0172"]
    assert acts[0]["extension"] == [{"url": p.EXT_ACT_TYPE, "valueCode": "specificAct"}]
    assert out["availableTime"] == body["availableTime"]
    assert any(e["url"] == p.EXT_HS_CONTACT for e in out["extension"])
    patients = next(e for e in out["extension"] if e["url"] == p.EXT_PATIENT_TYPE)
    assert patients["extension"][0]["valueRange"]["high"]["value"] == 65
    assert patients["extension"][-1]["url"] == "supportedPatientInfo"
    assert offer_form.values_of(out)["publics"] == ("07",)


def test_closing_and_reopening_an_offer() -> None:
    body = offer()
    values = offer_form.values_of(body)
    values.update(fermeture_type="PRO", fermeture_debut="2026-11-20",
                  fermeture_fin="2027-01-05")
    closed, _ = offer_form.apply(body, values)
    assert closed["notAvailable"][0]["id"] == "closingReopeningDate"
    assert offer_form.status(closed, date(2026, 12, 1)).text == (
        "fermée depuis le 20/11/2026 (provisoire), réouverture prévue le 05/01/2027")
    assert offer_form.status(closed, date(2026, 11, 1)).text == \
        "fermeture prévue le 20/11/2026 (provisoire)"
    assert not offer_form.status(closed, date(2027, 1, 5)).closed
    values.update(fermeture_type="", fermeture_debut="", fermeture_fin="")
    reopened, _ = offer_form.apply(closed, values)
    assert "notAvailable" not in reopened
    assert reopened["characteristic"] == body["characteristic"]


def test_an_age_that_is_not_a_number_is_refused_before_anything_is_written() -> None:
    body = offer()
    values = offer_form.values_of(body) | {"age_min": "dix"}
    _, errors = offer_form.apply(body, values)
    assert errors == {"age_min": offer_form.BY_NAME["age_min"].advice}
    values = offer_form.values_of(body) | {"age_min": "0,5"}
    out, _ = offer_form.apply(body, values)
    assert offer_form.values_of(out)["age_min"] == "0.5"


def test_typed_text_becomes_a_code() -> None:
    terminology = default_terminology()
    for typed in ("Médecine générale (437)", "médecine GENERALE", "437", " 437 "):
        assert code_of(offer_form.ACTIVITY, terminology, typed) == "437"
    assert code_of(offer_form.ACTIVITY, terminology, "Truc (999)") == "999"  # for validation
    assert code_of(offer_form.ACTIVITY, terminology, "n'importe quoi") == "n'importe quoi"


def test_a_conflict_keeps_my_changes_and_takes_theirs_elsewhere() -> None:
    fields = [Field(n, n, model.TEXT) for n in ("a", "b", "c", "d")]
    base = {"a": "1", "b": "1", "c": "1", "d": "1"}
    theirs = {"a": "2", "b": "1", "c": "2", "d": "2"}
    mine = {"a": "3", "b": "3", "c": "1", "d": "2"}
    merged, clashes = model.merge(fields, base, theirs, mine)
    assert merged == {"a": "3", "b": "3", "c": "2", "d": "2"}
    assert clashes == {"a"}  # d: we both made the same change


def test_issues_go_to_the_field_of_their_element() -> None:
    body = offer()
    where = offer_form.locate(body)
    assert messages.field_of("HealthcareService.name", where, ()) == "nom"
    assert messages.field_of("HealthcareService.characteristic[1].coding[0].code", where,
                             ()) is None  # the outside-office act is no field of the form
    assert messages.field_of("HealthcareService.characteristic[0].coding[0].code", where,
                             ()) == "mode"
    ages = "HealthcareService.extension[2].extension[0].valueRange.high"
    assert messages.field_of(ages, where, ()) == "age_max"
    assert messages.field_of(f"HealthcareService.extension.where(url='{p.EXT_PATIENT_TYPE}')",
                             where, offer_form.HINTS) == "age_min"


def test_equipment_rows_round_trip() -> None:
    body = place("loc-x", "02691", "02100", "Saint-Quentin",
                 extensions=(equipment("088", ("001", 250, "kg")),))
    values = place_form.values_of(body)
    assert values["equipements"] == ("088|1|001:250:kg",)
    same, errors = place_form.apply(body, values)
    assert same == body and errors == {}
    form = {"eq0-type": "Table (088)", "eq0-nombre": "1", "eq0-lim0-carac": "001",
            "eq0-lim0-valeur": "300", "eq0-lim0-unite": "kg", "eq1-type": "", "eq1-nombre": ""}
    rows = place_form.equipment_rows(form, default_terminology())
    assert rows == ("088|1|001:300:kg",)  # the blank row is left out
    changed, _ = place_form.apply(copy.deepcopy(body), values | {"equipements": rows})
    limit = changed["extension"][-1]["extension"][-1]["extension"][-1]
    assert limit["valueQuantity"]["value"] == 300
