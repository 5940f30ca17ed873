"""The editor's fields of several search inputs (acts, competences, expertise levels):
read from the posted inputs in row order, written back as characteristics with the code
system their value set gives each code, and drawn again as « Libellé (code) »."""

from __future__ import annotations

from openror.terminology import default_terminology
from openror.web.editor import model, offer_form
from openror.web.editor.model import Form
from openror.web.editor.ui import EMPTY_SEARCHES, FormView
from tests.services.roles_world import _offer

FIELDS = offer_form.FIELDS


def posted(**inputs: str) -> dict[str, str]:
    return {k.replace("_", "-"): v for k, v in inputs.items()}


def test_inputs_are_read_in_row_order_once_each_blank_ones_left_out() -> None:
    form = posted(actes_2="Pose de DIU (1245)", actes_0="ECG (électrocardiographie) (0172)",
                  actes_1="", actes_3="0172", actes_10="frottis du col utérin")
    values = model.read(FIELDS, form, default_terminology())
    assert values["actes"] == ("0172", "1245", "1208")


def test_expertise_codes_keep_the_system_of_their_value_set() -> None:
    body = _offer("hs-x", "eg-x", "loc-x")
    values = offer_form.values_of(body)
    values.update(expertise=("02", "10"), competences=("01",))
    out, errors = offer_form.apply(body, values)
    assert errors == {}
    written = {c["coding"][0]["code"]: c["coding"][0]["system"]
               for c in out["characteristic"]}
    assert written["02"] == offer_form.R253 and written["10"] == offer_form.R344
    assert written["01"] == offer_form.R243
    again = offer_form.values_of(out)  # read back as the form shows them
    assert (again["expertise"], again["competences"]) == (("02", "10"), ("01",))


def test_stored_codes_are_drawn_as_the_list_shows_them_then_empty_inputs() -> None:
    fields = {f.name: f for f in FIELDS}
    view = FormView(fields, Form({"actes": ("0172", "9999")}), default_terminology())
    assert view.texts("actes") == ["ECG (électrocardiographie) (0172)", "9999",
                                   *[""] * EMPTY_SEARCHES]


def test_the_change_log_names_expertise_levels_of_both_systems() -> None:
    shown = offer_form.shown("expertise", ("02", "10"), default_terminology(), {})
    assert shown == "Maternité de type 2A (02), Centre de référence labellisé (10)"


def test_rows_fixed_by_a_template_are_shown_in_words() -> None:
    from openror.web.editor import offer_rows
    fields = {f.name: f for f in FIELDS}
    row = offer_rows.encode({"type": "07", "day": "2", "start": "08:30", "end": "12:00"},
                            offer_rows.HOURS)
    view = FormView(fields, Form({"horaires": (row,), "zones": ("02691",)}),
                    default_terminology())
    assert view.display("horaires") == "Mardi 08:30–12:00 (consultation sur rendez-vous)"
    assert view.display("zones") == "Saint-Quentin (02100)"
