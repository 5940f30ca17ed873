"""Which template applies to an offer (``openror.templates.choose``), and how templates are
loaded into the store, on both back-ends."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from openror.access.caller import SYSTEM
from openror.errors import InvalidInput
from openror.services.writes import WritePath
from openror.store.database import Database
from openror.store.feed import LogEntry
from openror.store.resources import read_current
from openror.templates import choose, rank, stored
from openror.templates.bundled import bundled_templates
from openror.templates.loader import load, load_bundled
from openror.terminology import default_terminology

MCO, GP = "ror-questionnaire-offre-mco", "openror-offre-de-ville-medecine-generale"
NOS = "https://mos.esante.gouv.fr/NOS/"
R66 = NOS + "TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
R02 = NOS + "TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite"
EG = {"system": NOS + "TRE_R67-TypeStructure-EJ-EG/FHIR/TRE-R67-TypeStructure-EJ-EG",
      "code": "EG"}
PS = {"system": NOS + "TRE_R288-TypeProfession/FHIR/TRE-R288-TypeProfession", "code": "P01"}
G15 = NOS + "TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"


@pytest.fixture
def writes(db: Database) -> WritePath:
    return WritePath(db, default_terminology(), "32")


@pytest.fixture
def loaded(writes: WritePath) -> WritePath:
    load_bundled(writes)
    return writes


def _chosen(db: Database, **given: str) -> str | None:
    found = choose(db, **given)
    return None if found is None else found.id


def _variant(rid: str, contexts: list[tuple[dict[str, str], str, str]],
             **changes: Any) -> dict[str, Any]:
    """The GP template under another id, for the given use contexts only."""
    body = copy.deepcopy(bundled_templates()[1])
    body.update(id=rid, url=f"https://example.org/Questionnaire/{rid}", **changes)
    body["useContext"] = [{"code": code, "valueCodeableConcept": {"coding": [
        {"system": system, "code": value}]}} for code, system, value in contexts]
    return body


def test_a_liberal_gp_gets_the_city_template(loaded: WritePath) -> None:
    db = loaded.db
    assert _chosen(db, category="SA07", profession="10", field="05", specialty="SM54") == GP
    assert _chosen(db, category=f"{R02}|SA08", profession="10") == GP
    found = choose(db, category="SA07", profession="10")
    assert found is not None
    assert found.canonical == "https://openror.org/fhir/Questionnaire/offre-de-ville-medecine-generale|1"
    assert found.store_version == 1


def test_a_hospital_gynecology_unit_gets_ms_141(loaded: WritePath) -> None:
    db = loaded.db
    assert _chosen(db, category="355", field="01") == MCO
    assert _chosen(db, category=f"{R66}|355") == MCO
    found = choose(db, category="355", field="01")
    assert found is not None and found.title == "Unité hospitalière de gynécologie"


@pytest.mark.parametrize("given", [
    {"category": "500"},  # an EHPAD: no template for its category
    {"category": "SA07", "field": "01"},  # a city practice, but an MCO offer
    {"category": "SA07", "profession": "10", "specialty": "SM40"},  # a paediatrician
    {"category": f"{R02}|355"},  # 355 is not a sector of activity
    {},  # nothing to decide on
])
def test_nothing_applies(loaded: WritePath, given: dict[str, str]) -> None:
    assert choose(loaded.db, **given) is None


def test_only_active_templates_in_their_period(loaded: WritePath) -> None:
    db, log = loaded.db, LogEntry(actor="test")
    gp = copy.deepcopy(bundled_templates()[1])
    loaded.update("Questionnaire", GP, {**gp, "status": "draft"}, log, caller=SYSTEM)
    assert _chosen(db, category="SA07") is None
    period = {"start": "2025-01-01", "end": "2025-12-31"}
    loaded.update("Questionnaire", GP, {**gp, "effectivePeriod": period}, log, caller=SYSTEM)
    assert choose(db, category="SA07", today=date(2025, 6, 1)) is not None
    assert choose(db, category="SA07", today=date(2026, 1, 1)) is None


def test_the_more_specific_template_wins(writes: WritePath) -> None:
    doctors = _variant("doctors", [(EG, R02, "SA07"), (PS, G15, "10")])
    anyone = _variant("anyone", [(EG, R02, "SA07")])
    load(writes, [anyone, doctors])
    assert _chosen(writes.db, category="SA07", profession="10") == "doctors"
    assert _chosen(writes.db, category="SA07", profession="60") == "anyone"  # a nurse
    assert [q.id for q in rank(writes.db, category="SA07")] == ["anyone", "doctors"]


def test_ties_go_to_the_narrower_then_the_latest_template(writes: WritePath) -> None:
    wide = _variant("wide", [(EG, R02, "SA07"), (EG, R02, "SA08")], date="2026-06-01")
    narrow = _variant("narrow", [(EG, R02, "SA07")], date="2024-01-01")
    old = _variant("old", [(EG, R02, "SA08")], date="2024-01-01")
    new = _variant("new", [(EG, R02, "SA08")], date="2025-03-01")
    load(writes, [wide, narrow, old, new])
    assert _chosen(writes.db, category="SA07") == "narrow"
    assert [q.id for q in rank(writes.db, category="SA08")] == ["new", "old", "wide"]


def test_choose_reads_in_the_callers_transaction(loaded: WritePath) -> None:
    with loaded.db.read() as conn:
        found = choose(conn, category="SA07")
    assert found is not None and found.id == GP


def test_loading_again_writes_nothing_and_a_change_is_a_new_version(writes: WritePath) -> None:
    first = load_bundled(writes)
    assert sorted(first.created) == [GP, MCO] and not first.updated
    again = load_bundled(writes)
    assert sorted(again.unchanged) == [GP, MCO] and not again.created and not again.updated
    with writes.db.read() as conn:
        assert read_current(conn, "Questionnaire", GP).version == 1  # type: ignore[union-attr]
    changed = copy.deepcopy(bundled_templates()[1])
    changed["version"], changed["title"] = "2", "Cabinet de médecine générale"
    assert load(writes, [changed]).updated == [GP]
    templates = {q.id: q for q in stored(writes.db)}
    assert templates[GP].store_version == 2 and templates[GP].version == "2"
    assert templates[MCO].store_version == 1


def test_a_template_without_an_id_is_refused(writes: WritePath) -> None:
    body = copy.deepcopy(bundled_templates()[0])
    del body["id"]
    with pytest.raises(InvalidInput, match="has no id"):
        load(writes, [body])
    assert stored(writes.db) == []


def test_an_invalid_template_is_named_with_its_element(writes: WritePath) -> None:
    body = copy.deepcopy(bundled_templates()[1])
    del body["title"]
    with pytest.raises(InvalidInput) as raised:
        load(writes, [body])
    issue = raised.value.issues[0]
    assert issue.diagnostics.startswith(f"Questionnaire/{GP}: ")
    assert issue.expression == ("Questionnaire.title",)
    assert stored(writes.db) == []
