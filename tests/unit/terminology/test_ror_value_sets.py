"""The ROR value sets bundled from the ANS IG-NOS snapshot (data/nos_ror_value_sets.json):
specific acts (JDV_J16), specific competences (JDV_J33) and the offer's closing type
(JDV_J185), as the API checks codes against them and the forms offer them."""

from __future__ import annotations

import json
from pathlib import Path

from openror.fhir import profiles as p
from openror.terminology import default_terminology
from openror.terminology.bundled import DATA

R210 = p.nos_url("TRE_R210-ActeSpecifique")
TEMPLATES = Path(__file__).parents[3] / "src" / "openror" / "templates" / "data"


def test_the_three_value_sets_are_bundled_with_their_origin() -> None:
    term = default_terminology()
    sizes = {name: len(term.expand(name)) for name in ("JDV_J16", "JDV_J33", "JDV_J185")}
    assert sizes == {"JDV_J16": 990, "JDV_J33": 50, "JDV_J185": 2}
    doc = json.loads((DATA / "nos_ror_value_sets.json").read_text(encoding="utf-8"))
    assert all("ansforge/IG-NOS" in vs["source"] for vs in doc["value_sets"])


def test_acts_are_checked_against_jdv_j16() -> None:
    term = default_terminology()
    assert term.check("JDV_J16", R210, "0172").status == "ok"
    assert term.display(R210, "0172") == "ECG (électrocardiographie)"
    assert term.display(R210, "0072") == "Chirurgie de la tête du pancréas : DPC (> 20-an)"
    assert term.check("JDV_J16", R210, "0003").status == "unknown-code"  # not a J16 code


def test_competences_and_closing_types() -> None:
    term = default_terminology()
    competences = {c.code: c.display for c in term.expand("JDV_J33")}
    assert competences["01"] == "Maîtrise de la Langue des Signes Française (LSF)"
    assert "09" not in competences  # the gaps of the NOS list stay gaps
    assert {c.code: c.display for c in term.expand("JDV_J185")} == {
        "DEF": "Définitive", "PRO": "Provisoire"}


def test_every_act_of_the_liberal_template_is_a_j16_code() -> None:
    """The IG's own « offre de ville » template lists 33 acts: all are in the bundled list
    (a check of the transcription against an independent source)."""
    term = default_terminology()
    template = json.loads((TEMPLATES / "openror-offre-de-ville-medecine-generale.json")
                          .read_text(encoding="utf-8"))
    found = []

    def walk(items: list[dict[str, object]]) -> None:
        for item in items:
            for option in item.get("answerOption") or []:  # type: ignore[attr-defined]
                coding = option.get("valueCoding") or {}
                if coding.get("system") == R210:
                    found.append(coding["code"])
            walk(item.get("item") or [])  # type: ignore[arg-type]
    walk(template["item"])
    assert len(found) >= 30
    assert [code for code in found if term.check("JDV_J16", R210, code).status != "ok"] == []


def test_expertise_levels_span_two_code_systems() -> None:
    systems = {c.code: c.system for c in default_terminology().expand("JDV_J227")}
    assert systems["02"] == p.nos_url("TRE_R253-TypeMaternite")
    assert systems["10"] == p.nos_url("TRE_R344-NiveauExpertise")
