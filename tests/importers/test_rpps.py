"""The RPPS source: records and rejects of PS_LibreAcces_Personne_activite files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from openror.importers.base import Key, Record, Reject
from openror.importers.checks import check_record
from openror.importers.rpps import NATIONAL_SCOPE, RppsSource
from openror.importers.rpps_format import COLUMNS
from openror.terminology import default_terminology

from .test_rpps_format import HEADER, values, write

DATA = Path(__file__).parent / "data" / "rpps"
SAMPLE = (Path(__file__).resolve().parents[3] / "shared" / "data" / "rpps" / "libreacces"
          / "PS_LibreAcces_Personne_activite_small.txt")
IDNATPS = "urn:oid:1.2.250.1.71.4.2.1"
TERMINOLOGY = default_terminology()


@dataclass(frozen=True)
class FakeCommune:
    code: str


class FakeGazetteer:
    """Mionnay (01244) under 01390; every commune at the same approximate point."""

    def point(self, commune_code: str) -> tuple[float, float] | None:
        return (46.2, 5.2)

    def find(self, postal_code: str | None, city: str) -> FakeCommune | None:
        return FakeCommune("01244") if (postal_code, city) == ("01390", "MIONNAY") else None


def parse(*paths: Path) -> tuple[RppsSource, list[Record], list[Reject]]:
    source = RppsSource(TERMINOLOGY, FakeGazetteer(), today=lambda: date(2026, 3, 2))
    out = list(source.parse(list(paths)))
    return (source, [o for o in out if isinstance(o, Record)],
            [o for o in out if isinstance(o, Reject)])


def by_key(records: list[Record]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r.type, r.key.value): r.resource for r in records}


def person_line(**given: str) -> str:
    """A liberal GP line in Bourg-en-Bresse, with ``given`` columns replaced."""
    base = {
        "Type d'identifiant PP": "8", "Identifiant PP": "10100000008",
        "Identification nationale PP": "810100000008", "Code civilité d'exercice": "DR",
        "Nom d'exercice": "MARTIN", "Prénom d'exercice": "Claire", "Code profession": "10",
        "Code type savoir-faire": "S", "Code savoir-faire": "SM54", "Code mode exercice": "L",
        "Identifiant technique de la structure": "C12345678200010",
        "Code commune (coord. structure)": "01053", "Code Département (structure)": "01",
    }
    return values(**{**base, **given})


# --- the real sample ----------------------------------------------------------------------

@pytest.mark.skipif(not SAMPLE.exists(), reason="shared RPPS sample not present")
def test_real_sample() -> None:
    source, records, rejects = parse(SAMPLE)
    # 22 persons, no two lines for the same one; the only liberal line with a site (line 11,
    # orthoptist in Mionnay, registered by the CPAM) has no commune code: it is found from
    # "01390 MIONNAY" (here by the fake gazetteer)
    assert Counter(r.type for r in records) == {
        "Practitioner": 22, "Organization": 1, "Location": 1, "HealthcareService": 1,
        "PractitionerRole": 1}
    assert rejects == []
    offer = by_key(records)[("HealthcareService", "0019200575/01/C01920057500")]
    assert offer["name"] == "Orthoptie — CECILE CHAVANON"
    assert source.stats["skipped activities (S)"] == 17
    assert source.stats["skipped activities (none)"] == 3
    assert source.stats["skipped liberal activities without a practice site"] == 1


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared RPPS sample not present")
def test_real_sample_without_commune_lookup_rejects_the_orthoptist() -> None:
    class NoCommune(FakeGazetteer):
        def find(self, postal_code: str | None, city: str) -> FakeCommune | None:
            return None

    out = list(RppsSource(TERMINOLOGY, NoCommune()).parse([SAMPLE]))
    rejects = [str(o) for o in out if isinstance(o, Reject)]
    assert rejects == ["line 11, field Code commune (coord. structure): the practice site has "
                       "no commune code (INSEE COG) and its postal code and city do not "
                       "designate one commune; the place of care needs one"]


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared RPPS sample not present")
def test_real_sample_records_pass_the_checks() -> None:
    _, records, _ = parse(SAMPLE)
    for record in records:
        assert check_record(record, TERMINOLOGY)[0] == [], record


# --- the liberal fixture ------------------------------------------------------------------

def test_fixture_records_pass_the_checks_without_warnings() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    for record in records:
        errors, warnings = check_record(record, TERMINOLOGY)
        assert (errors, warnings) == ([], []), record


def test_fixture_counts() -> None:
    source, records, rejects = parse(DATA / "liberal.txt")
    assert Counter(r.type for r in records) == {
        "Practitioner": 8 - 1,  # 8 lines, the GP twice
        "HealthcareService": 4, "PractitionerRole": 4,  # GP, cardiologist, physio, nurse
        "Location": 3,  # the group practice (shared), Mionnay, the health centre
        "Organization": 2,  # not the health centre: FINESS owns it
    }
    assert [str(r) for r in rejects] == [
        "line 8, field Code profession: no operational activity (JDV_J17) is mapped for "
        "Ergothérapeute without savoir-faire; add it to importers/rpps_mapping.py if the ROR "
        "has one"]
    assert source.stats["merged lines (same professional and site)"] == 1
    assert source.stats["skipped activities (S)"] == 1
    assert source.stats["skipped liberal activities without a practice site"] == 1


def test_gp_offer() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    offer = by_key(records)[("HealthcareService", "810100000008/01/C12345678200010")]
    assert offer["name"] == "Médecine générale — Dr Claire MARTIN"
    assert "identifier" not in offer  # the server gives the ROR one; the key becomes a tag
    assert offer["type"][0]["coding"][0]["code"] == "05"
    assert offer["specialty"][0]["coding"][0]["code"] == "437"
    assert [c["coding"][0]["code"] for c in offer["characteristic"]] == ["32", "03"]
    assert offer["providedBy"]["identifier"] == {"system": "urn:openror:rpps-site",
                                                 "value": "01/C12345678200010"}
    assert offer["location"][0]["identifier"]["system"] == "urn:openror:rpps-place"


def test_practitioner_gathers_the_savoir_faire_of_all_its_lines() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    [gp] = [r for r in records if r.key == Key(IDNATPS, "810100000008")]
    assert gp.line == 2 and gp.scope == NATIONAL_SCOPE
    body = gp.resource
    assert body["name"] == [{"family": "MARTIN", "given": ["Claire"], "prefix": ["MME"],
                             "suffix": ["DR"]}]
    codes = [[c["code"] for c in q["code"]["coding"]] for q in body["qualification"]]
    assert codes == [["10"], ["S", "SM54"], ["S", "SM57"]]


def test_site_place_and_contacts() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    found = by_key(records)
    site = found[("Organization", "01/C12345678200010")]
    assert site["name"] == "CABINET MEDICAL DU BASTION"
    assert site["address"] == [{"line": ["12 B Rue DU BASTION"], "postalCode": "01000",
                                "city": "Bourg-en-Bresse"}]
    assert site["type"][0]["coding"][0]["code"] == "SA08"
    assert {i["system"] for i in site["identifier"]} == {
        "urn:openror:rpps-site", "http://sirene.fr", "urn:oid:1.2.250.1.71.4.2.2"}
    levels = {(t["system"], t["extension"][1]["valueCodeableConcept"]["coding"][0]["code"])
              for t in site["telecom"]}
    assert levels == {("phone", "2"), ("email", "2")}  # visible to professionals only
    place = found[("Location", "01/C12345678200010")]
    assert place["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "01053"
    assert (place["position"]["latitude"], place["position"]["longitude"]) == (46.2, 5.2)
    assert place["managingOrganization"]["identifier"]["value"] == "01/C12345678200010"


def test_commune_found_from_postal_code_and_unnamed_cabinet() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    found = by_key(records)
    place = found[("Location", "01/C01700000100")]
    assert place["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "01244"
    assert found[("Organization", "01/C01700000100")]["name"] == "Cabinet de Hugo LEROY"
    offer = found[("HealthcareService", "0017000001/01/C01700000100")]
    assert offer["name"] == "Kinésithérapie — Hugo LEROY"


def test_finess_site_is_referenced_not_created() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    found = by_key(records)
    assert ("Organization", "01/F010789956") not in found
    finess = {"system": "https://finess.esante.gouv.fr", "value": "010789956"}
    assert found[("HealthcareService", "810100000024/01/F010789956")]["providedBy"] == {
        "type": "Organization", "identifier": finess}
    assert found[("PractitionerRole", "810100000024/01/F010789956")]["organization"][
        "identifier"] == finess


def test_role() -> None:
    _, records, _ = parse(DATA / "liberal.txt")
    role = by_key(records)[("PractitionerRole", "810100000016/01/C12345678200010")]
    assert role["practitioner"]["identifier"] == {"system": IDNATPS, "value": "810100000016"}
    assert role["healthcareService"][0]["identifier"]["value"] == \
        "810100000016/01/C12345678200010"
    assert role["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "L"
    assert "telecom" not in role


def test_owned_is_what_the_record_sets_and_scopes_are_departements() -> None:
    source, records, _ = parse(DATA / "liberal.txt")
    for record in records:
        assert record.owned <= set(record.resource), record.type
        urls = {e["url"] for e in record.resource.get("extension", [])}
        assert record.owned_extensions <= urls, record.type
        assert source.scope_of_key(record.key) == record.scope
        assert record.key.system in source.key_systems()
    # what the professional completes in the guided entry is not owned
    offer = next(r for r in records if r.type == "HealthcareService")
    assert not offer.owned & {"name", "specialty", "characteristic", "availableTime",
                              "telecom", "notAvailable", "location"}


# --- malformed lines ----------------------------------------------------------------------

def test_bad_rpps_check_digit(tmp_path: Path) -> None:
    line = person_line(**{"Identifiant PP": "10100000009",
                          "Identification nationale PP": "810100000009"})
    _, records, rejects = parse(write(tmp_path, HEADER, line))
    assert records == []
    assert [str(r) for r in rejects] == [
        "line 2, field Identifiant PP: RPPS number '10100000009' has a wrong check digit "
        "(Luhn); check the number"]


def test_national_id_must_match_the_number(tmp_path: Path) -> None:
    line = person_line(**{"Identification nationale PP": "810100000016"})
    _, _, rejects = parse(write(tmp_path, HEADER, line))
    assert [r.field for r in rejects] == ["Identification nationale PP"]


def test_unknown_profession_code(tmp_path: Path) -> None:
    _, records, rejects = parse(write(tmp_path, HEADER, person_line(**{"Code profession": "99"})))
    assert records == []
    assert [str(r) for r in rejects] == [
        "line 2, field Code profession: unknown profession code '99' (TRE_G15 ProfessionSante)"]


def test_unknown_exercise_mode(tmp_path: Path) -> None:
    _, _, rejects = parse(write(tmp_path, HEADER, person_line(**{"Code mode exercice": "X"})))
    assert [r.field for r in rejects] == ["Code mode exercice"]


def test_duplicate_line(tmp_path: Path) -> None:
    _, records, rejects = parse(write(tmp_path, HEADER, person_line(), person_line()))
    assert [str(r) for r in rejects] == [
        "line 3, field line: duplicate of line 2 (same professional, same activity)"]
    assert Counter(r.type for r in records)["HealthcareService"] == 1


def test_unknown_commune_code(tmp_path: Path) -> None:
    line = person_line(**{"Code commune (coord. structure)": "01999"})
    _, records, rejects = parse(write(tmp_path, HEADER, line))
    assert [r.type for r in records] == ["Practitioner"]  # the person is kept
    assert [str(r) for r in rejects] == [
        "line 2, field Code commune (coord. structure): unknown commune code '01999' "
        "(INSEE COG, JDV_J124)"]


def test_unmapped_physician_specialty(tmp_path: Path) -> None:
    _, _, rejects = parse(write(tmp_path, HEADER, person_line(**{"Code savoir-faire": "SM47"})))
    assert [r.field for r in rejects] == ["Code savoir-faire"]


def test_wrong_separator_rejects_the_file_only(tmp_path: Path) -> None:
    bad = write(tmp_path, ";".join(COLUMNS) + ";", person_line().replace("|", ";"))
    good = tmp_path / "good.txt"
    good.write_text(HEADER + "\n" + person_line(**{
        "Identifiant PP": "10100000016", "Identification nationale PP": "810100000016"}) + "\n",
        encoding="utf-8")
    _, records, rejects = parse(bad, good)
    assert [(r.line, r.field) for r in rejects] == [(1, "header")]
    assert Counter(r.type for r in records)["HealthcareService"] == 1


def test_latin1_file(tmp_path: Path) -> None:
    line = person_line(**{"Prénom d'exercice": "Hélène", "Raison sociale site": "CABINET DU PRÉ"})
    _, records, rejects = parse(write(tmp_path, HEADER, line, encoding="latin-1"))
    assert rejects == []
    found = by_key(records)
    assert found[("Practitioner", "810100000008")]["name"][0]["given"] == ["Hélène"]
    assert found[("Organization", "01/C12345678200010")]["name"] == "CABINET DU PRÉ"


def test_truncated_line(tmp_path: Path) -> None:
    _, records, rejects = parse(write(tmp_path, HEADER, person_line()[:60]))
    assert records == []
    assert [r.field for r in rejects] == ["line"]


def test_departement_from_commune_when_missing(tmp_path: Path) -> None:
    line = person_line(**{"Code Département (structure)": "",
                          "Code commune (coord. structure)": "97411"})
    _, records, rejects = parse(write(tmp_path, HEADER, line))
    assert rejects == []
    assert {r.scope for r in records if r.type != "Practitioner"} == {"974"}


# --- reconciliation -----------------------------------------------------------------------

@pytest.mark.parametrize(("key", "scope"), [
    (Key("urn:openror:rpps-site", "01/C12345678200010"), "01"),
    (Key("urn:openror:rpps-place", "2A/F2A0000017"), "2A"),
    (Key("urn:openror:rpps-offer", "810100000008/974/C1"), "974"),
    (Key("urn:openror:rpps-role", "810100000008/01/C1"), "01"),
    (Key(IDNATPS, "810100000008"), NATIONAL_SCOPE),
    (Key("urn:openror:rpps-offer", "malformed"), ""),
    (Key("https://finess.esante.gouv.fr", "010000024"), ""),
])
def test_scope_of_key(key: Key, scope: str) -> None:
    assert RppsSource(TERMINOLOGY, FakeGazetteer()).scope_of_key(key) == scope


def test_key_systems() -> None:
    assert RppsSource(TERMINOLOGY, FakeGazetteer()).key_systems() == {
        IDNATPS, "urn:openror:rpps-site", "urn:openror:rpps-place", "urn:openror:rpps-offer",
        "urn:openror:rpps-role"}


def test_close_offer_sets_a_closing_period_once() -> None:
    source, records, _ = parse(DATA / "liberal.txt")
    offer = next(r.resource for r in records if r.type == "HealthcareService")
    closed = source.close(offer)
    assert closed is not None and "notAvailable" not in offer
    assert closed["notAvailable"] == [{
        "id": "closingReopeningDate",
        "description": "Période de fermeture et de réouverture prévisionnelle",
        "during": {"start": "2026-03-02"}}]
    assert source.close(closed) is None
    record = Record(1, closed, Key("urn:openror:rpps-offer", "x"), frozenset())
    assert check_record(record, TERMINOLOGY)[0] == []


def test_close_reopened_offer_again() -> None:
    source = RppsSource(TERMINOLOGY, FakeGazetteer(), today=lambda: date(2026, 3, 2))
    past = {"resourceType": "HealthcareService", "notAvailable": [
        {"id": "closingReopeningDate", "during": {"start": "2025-07-01", "end": "2025-08-01"}}]}
    closed = source.close(past)
    assert closed is not None
    assert closed["notAvailable"][0]["during"] == {"start": "2026-03-02"}


@pytest.mark.parametrize(("rtype", "element", "value"), [
    ("Practitioner", "active", False), ("PractitionerRole", "active", False),
    ("Organization", "active", False), ("Location", "status", "inactive"),
])
def test_close_others(rtype: str, element: str, value: Any) -> None:
    source = RppsSource(TERMINOLOGY, FakeGazetteer())
    resource = {"resourceType": rtype, "id": "1"}
    closed = source.close(resource)
    assert closed == {"resourceType": rtype, "id": "1", element: value}
    assert resource == {"resourceType": rtype, "id": "1"}  # not modified in place
    assert source.close(closed) is None


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared RPPS sample not present")
def test_real_sample_with_the_bundled_gazetteer() -> None:
    source = RppsSource(TERMINOLOGY)
    records = [o for o in source.parse([SAMPLE]) if isinstance(o, Record)]
    [place] = [r.resource for r in records if r.type == "Location"]
    assert place["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "01248"
    assert 45 < place["position"]["latitude"] < 47
