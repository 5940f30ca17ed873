"""Lookups and system spellings against the bundled terminology."""

from __future__ import annotations

import pytest

from openror.terminology import Terminology, default_terminology

R239 = "https://mos.esante.gouv.fr/NOS/TRE_R239-PublicPrisEnCharge/FHIR/TRE-R239-PublicPrisEnCharge"

TRE_R213 = "https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge"
JDV_J19 = "https://mos.esante.gouv.fr/NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR"

@pytest.mark.parametrize(
    "system",
    [
        TRE_R213,
        TRE_R213 + "/",
        JDV_J19,
        JDV_J19 + "/",
        "urn:oid:1.2.250.1.213.3.3.13",
        "TRE_R213-ModePriseEnCharge",
        "TRE_R213",
        "http://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge",
        " https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge//",
    ],
)
def test_system_spellings(term: Terminology, system: str) -> None:
    assert term.canonical_system(system) == TRE_R213
    assert term.knows_system(system)
    concept = term.lookup(system, "32")
    assert concept is not None and concept.system == TRE_R213
    assert term.display(system, "32") == concept.display


def test_unknown_system_unchanged(term: Terminology) -> None:
    assert term.canonical_system("http://example.org/cs") == "http://example.org/cs"
    assert not term.knows_system("http://example.org/cs")
    assert term.lookup("http://example.org/cs", "1") is None


def test_multi_system_jdv_is_not_rewritten_but_resolves_codes(term: Terminology) -> None:
    j55 = term.value_set_url("JDV_J55")
    assert j55 is not None and term.canonical_system(j55) == j55
    sa08 = term.lookup(j55, "SA08")
    assert sa08 is not None and "TRE_R02-SecteurActivite" in sa08.system
    assert term.lookup(j55, "355") is not None


def test_j29_odd_systems_filed_under_r239(term: Terminology) -> None:
    codes = {c.code: c.system for c in term.expand("JDV_J29")}
    assert set(codes) == {f"0{i}" for i in range(1, 9)}
    assert set(codes.values()) == {R239}


def test_urls_and_value_set_names(term: Terminology) -> None:
    assert term.code_system_url("TRE_R213") == TRE_R213
    assert term.code_system_url("TRE_R999") is None
    assert term.value_set_url("JDV_J19") == JDV_J19
    assert term.value_set_url("JDV_J238") is not None  # known by name, no content bundled
    for spelling in ("JDV_J19", "JDV_J19-ModePriseEnCharge-ROR", JDV_J19, JDV_J19 + "/"):
        vs = term.value_set(spelling)
        assert vs is not None and vs.id == "JDV_J19" and vs.systems == (TRE_R213,)
    assert term.value_set("JDV_J0") is None
    assert term.expand("JDV_J0") == []


def test_tabs_oids_resolved(term: Terminology) -> None:
    vs = term.value_set("JDV_J227")
    assert vs is not None and len(vs.systems) == 2
    assert all(s.startswith("https://mos.esante.gouv.fr/NOS/TRE_") for s in vs.systems)
    for v in term.value_sets:
        assert all(not s.startswith("urn:oid:") for s in v.systems), v.id


def test_geography(term: Terminology) -> None:
    assert term.display("TRE_R13-CommuneOM", "75056") == "Paris"
    assert term.display("TRE_R13-CommuneOM", "75101") is not None  # arrondissement municipal
    assert term.display("TRE_R30-RegionOM", "84") == "Auvergne-Rhône-Alpes"
    assert term.display("urn:oid:1.2.250.1.71.1.2.16", "2A") == "Corse-du-Sud"


def test_spec_lists_present(term: Terminology) -> None:
    assert term.display("TRE_R330", "02") == "Disponible"
    assert term.display("TRE_R352-StatutMetierAnomalie", "08") == "Corrigé"
    assert term.display("TRE_R187", "02") is None
    assert term.display("TRE_R329", "02") == "Place"
    assert term.display("TRE_R227", "06") == "Social"
    assert term.display("TRE_R355", "35") is not None
    assert {c.code for c in term.expand("JDV_J217")} >= {"L", "S", "B"}
    assert {c.code for c in term.expand("JDV_J224")} == {"OP", "FT", "FD"}
    assert term.display("TRE_R283", "1") == "Visible du grand public"
    ig = "https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/"
    assert term.lookup(ig + "act-type-ror-codesystem", "outsideOfficeAct") is not None
    assert term.lookup(ig + "ror-include-associated-data-code-system", "_myCompleteExtract")
    assert term.lookup(ig + "usage-context-ror-codesystem", "fonctionLieu") is not None
    assert term.lookup(ig + "ror-launch-context-codesystem", "ror-structure") is not None
    assert term.lookup(ig + "output-task-ror-codesystem", "newValue") is not None


def test_associations(term: Terminology) -> None:
    (ass,) = term.associations
    assert ass.target_system.endswith("TRE-R30-RegionOM")


def test_default_is_cached() -> None:
    """Loaded once per process (its speed is measured by benchmarks, not asserted here)."""
    default_terminology.cache_clear()
    assert default_terminology() is default_terminology()
