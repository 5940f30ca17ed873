"""Orientation, stage 1: French free text, codes, age, sex and location as the engine
understands them. Every code comes from the NOS, never invented."""

from __future__ import annotations

import json

import pytest

from openror.errors import InvalidInput
from openror.search.orientation.analyse import (
    SYNONYMS,
    analyse_need,
    analyse_where,
    normalise,
    read_text,
    within_one_edit,
)
from openror.terminology import default_terminology

#: free text -> (activities TRE_R211, care modes TRE_R213, expertise J227, soft words)
FREE_TEXT = [
    ("cardio", {"013", "014"}, set(), set(), ()),
    ("Cardiologue", {"013", "014"}, set(), set(), ()),
    ("cardiolgie", {"013", "014"}, set(), set(), ()),  # a letter missing
    ("kinésithérapeute", {"339"}, set(), set(), ()),
    ("kiné", {"339"}, set(), set(), ()),
    ("kine pédiatrique", {"339"}, set(), set(), ("pediatrique",)),
    ("maternite niveau 3", {"100"}, set(), {"04"}, ()),
    ("Maternité de type 3", {"100"}, set(), {"04"}, ()),
    ("maternité-niveau 2b", {"100"}, set(), {"03"}, ()),
    ("maternité", {"100"}, set(), set(), ()),
    ("ophtalmo", {"103"}, set(), set(), ()),
    ("ophtalmolgie", {"103"}, set(), set(), ()),
    ("IRM", {"068"}, set(), set(), ()),
    ("HDJ cardio", {"013", "014"}, {"29"}, set(), ()),
    ("pneumologie", {"114", "357", "378"}, set(), set(), ()),  # NOS label words
    ("kinésithérapie respiratoire", {"339"}, set(), set(), ("respiratoire",)),
]


@pytest.mark.parametrize(("text", "activities", "modes", "expertise", "words"), FREE_TEXT)
def test_free_text_resolves_to_nos_codes(text: str, activities: set[str], modes: set[str],
                                         expertise: set[str], words: tuple[str, ...]) -> None:
    need = read_text(text)
    assert {a.code for a in need.activities} == activities
    assert {m.code for m in need.care_modes} == modes
    assert {e.code for e in need.expertise} == expertise
    assert need.words == words


def test_every_synonym_names_a_real_nos_code_with_its_label() -> None:
    terms = default_terminology()
    value_sets = {"activity": "JDV_J17", "careMode": "JDV_J19", "expertise": "JDV_J227",
                  "equipment": "JDV_J18"}
    labels = {key: {c.code: c.display for c in terms.expand(vs)}
              for key, vs in value_sets.items()}
    for entry in json.loads(SYNONYMS.read_text(encoding="utf-8"))["entries"]:
        for key in value_sets:
            for code, label in entry.get(key, {}).items():
                assert labels[key].get(code) == label, (entry["phrases"][0], code)
        assert all(normalise(p) == p for p in entry["phrases"])


#: free text -> (activities, equipment TRE_R212, weight asked in kg, soft words)
EQUIPMENT_TEXT = [
    ("lit bariatrique", set(), {"089", "090"}, None, ()),
    ("Lits bariatriques 200 kg", set(), {"089", "090"}, 200.0, ()),
    ("lit obèse 250kg cardio", {"013", "014"}, {"089", "090"}, 250.0, ()),
    ("IRM bariatrique", {"068"}, {"052"}, None, ()),
    ("IRM", {"068"}, set(), None, ()),
    ("scanner obèse", {"070"}, {"085", "086"}, None, ()),
    ("caisson hyperbare", {"084"}, {"161", "162", "163"}, None, ()),
    ("cardio 200 kg", {"013", "014"}, set(), None, ("200", "kg")),  # no equipment: no limit
]


@pytest.mark.parametrize(("text", "activities", "kinds", "kg", "words"), EQUIPMENT_TEXT)
def test_free_text_may_ask_for_equipment(text: str, activities: set[str], kinds: set[str],
                                         kg: float | None, words: tuple[str, ...]) -> None:
    need = read_text(text)
    assert {a.code for a in need.activities} == activities
    assert ({k.code for k in need.equipment.kinds} if need.equipment else set()) == kinds
    assert (need.equipment.min_kg if need.equipment else None) == kg
    assert need.words == words


@pytest.mark.parametrize(("kwargs", "kinds", "kg"), [
    ({"equipment": "089"}, {"089"}, None),
    ({"equipment": "089", "equipment_limit": "200"}, {"089"}, 200.0),
    ({"equipment": "089", "equipment_limit": "200|kg"}, {"089"}, 200.0),
    ({"equipment": "089", "equipment_limit": "250000|g"}, {"089"}, 250.0),
    ({"text": "lit bariatrique 300 kg", "equipment_limit": "200"}, {"089", "090"}, 200.0),
    ({"text": "lit bariatrique", "equipment": "091"}, {"089", "090", "091"}, None),
])
def test_equipment_parameters(kwargs: dict[str, str], kinds: set[str], kg: float | None
                              ) -> None:
    need = analyse_need(kwargs.pop("text", None), **kwargs)
    assert need.equipment is not None
    assert ({k.code for k in need.equipment.kinds}, need.equipment.min_kg) == (kinds, kg)
    assert need.activities == ()  # the equipment alone is a need


def test_acts_publics_and_open_now() -> None:
    need = analyse_need("cardio", act="0529", public="01,07", open_now="true")
    assert [(a.code, a.label) for a in need.acts] == [("0529", "Pose d'anneau gastrique")]
    assert [p.label for p in need.publics] == [
        "Personnes âgées en perte d'autonomie (PA) et aidants", "Tout public"]
    assert need.open_now is True
    assert analyse_need("cardio", open_now="false").open_now is False


@pytest.mark.parametrize(("kwargs", "expression"), [
    ({"public": "99"}, "public"), ({"equipment": "999"}, "equipment"),
    ({"act": "05 29"}, "act"), ({"open_now": "yes"}, "openNow"),
    ({"equipment": "089", "equipment_limit": "heavy"}, "equipmentLimit"),
    ({"equipment": "089", "equipment_limit": "200|lb"}, "equipmentLimit"),
    ({"equipment": "089", "equipment_limit": "-5"}, "equipmentLimit"),
    ({"equipment": "089", "equipment_limit": "9000"}, "equipmentLimit"),
    ({"equipment_limit": "200"}, "equipmentLimit")])  # a weight, but for which equipment?
def test_new_criteria_are_checked_naming_the_parameter(kwargs: dict[str, str],
                                                       expression: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        analyse_need("cardio", **kwargs)
    assert caught.value.issues[0].expression == (expression,)


@pytest.mark.parametrize(("a", "b", "close"), [
    ("cardiologie", "cardiolgie", True), ("ophtalmo", "ophtamlo", True),
    ("maternite", "maternitee", True), ("maternite", "paternitee", False),
    ("kinesie", "kinesiex", True), ("abc", "abc", True), ("cardiologie", "cardiolo", False)])
def test_one_edit(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close


def test_codes_age_and_sex_are_checked_naming_the_parameter() -> None:
    need = analyse_need(None, activity="013", care_mode="32", age="45", sex="F")
    assert [a.label for a in need.activities] == ["Cardiologie générale"]
    assert (need.age, need.sex) == (45.0, "female")
    for kwargs, expression in [({"activity": "999x"}, "activity"),
                               ({"activity": "013", "care_mode": "zz"}, "careMode"),
                               ({"activity": "013", "age": "-3"}, "age"),
                               ({"activity": "013", "sex": "x"}, "sex"),
                               ({"text": "xyzzy plugh"}, "q"), ({}, "activity")]:
        text = kwargs.pop("text", None)
        with pytest.raises(InvalidInput) as caught:
            analyse_need(text, **kwargs)
        assert caught.value.issues[0].expression == (expression,)


@pytest.mark.parametrize(("kwargs", "departement", "label"), [
    ({"commune": "78646"}, "78", "Versailles (78646)"),
    ({"commune": "versailles"}, "78", "Versailles (78646)"),
    ({"postal_code": "28000"}, "28", "28000 Chartres"),
    ({"lat": "45.76", "lon": "4.84"}, "69", "45.76000, 4.84000"),
    # an address: its commune's centre (streets are not geocoded)
    ({"address": "12 rue de la Paix 02000 Laon"}, "02", "02000 Laon (02408)"),
    ({"address": "Laon"}, "02", "Laon (02408)"),
    ({"address": "12 rue de la Paix, Laon"}, "02", "Laon (02408)"),
    ({"address": "Centre hospitalier, 02000 LAON, France"}, "02", "02000 Laon (02408)"),
    ({"address": "place du Marché 02000"}, "02", "02000 Aulnois-sous-Laon (02037)"),
    ({"address": "3 avenue de Paris 78000 Versailles"}, "78", "78000 Versailles (78646)"),
    ({"address": "1 rue X 13001 Marseille"}, "13", "13001 Marseille (13055)"),
    ({"address": "Saint-Martin-d'Hères"}, "38", "Saint-Martin-d'Hères (38421)"),
])
def test_locations(kwargs: dict[str, str], departement: str, label: str) -> None:
    where = analyse_where(**kwargs)
    assert (where.departement, where.label) == (departement, label)


@pytest.mark.parametrize(("kwargs", "expression"), [
    ({"commune": "99999"}, "commune"), ({"postal_code": "00000"}, "postalCode"),
    ({"lat": "91", "lon": "2"}, "lat"), ({"lat": "48"}, "lon"), ({}, "commune"),
    ({"address": "12 rue de la Paix"}, "address"), ({"address": "nulle part"}, "address"),
    ({"address": "1 rue X 99999 Laon"}, "address")])
def test_bad_locations_name_the_parameter(kwargs: dict[str, str], expression: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        analyse_where(**kwargs)
    assert caught.value.issues[0].expression == (expression,)
