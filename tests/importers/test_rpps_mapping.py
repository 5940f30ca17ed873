"""Profession + savoir-faire → operational activity (JDV_J17) of a liberal offer."""

from __future__ import annotations

import pytest

from openror.importers.rpps_mapping import (
    PROFESSIONS,
    SPECIALTY_ACTIVITY,
    operational_activity,
)
from openror.terminology import default_terminology

TRE_R211 = ("https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
            "TRE-R211-ActiviteOperationnelle")


def test_every_mapped_activity_is_a_current_j17_code() -> None:
    terminology = default_terminology()
    targets = set(SPECIALTY_ACTIVITY.values()) | {
        p.activity for p in PROFESSIONS.values() if p.activity}
    for code in sorted(targets):
        assert terminology.check("JDV_J17", TRE_R211, code).status == "ok", code


def test_every_mapped_specialty_is_a_j210_code() -> None:
    j210 = {c.code for c in default_terminology().expand("JDV_J210")}
    assert set(SPECIALTY_ACTIVITY) <= j210


def test_every_j186_health_profession_is_known() -> None:
    """The professions the ROR lists as resources (TRE_G15 part of JDV_J186) are all read."""
    g15 = {c.code for c in default_terminology().expand("JDV_J186") if "TRE_G15" in c.system}
    assert g15 <= set(PROFESSIONS)


@pytest.mark.parametrize(("profession", "skill_type", "skill", "activity"), [
    ("10", "S", "SM54", "437"),  # médecin généraliste → Médecine générale
    ("10", "S", "SM26", "437"),
    ("10", "S", "SM04", "013"),  # cardiologue → Cardiologie générale
    ("10", "S", "SM42", "229"),  # psychiatre → Psychiatrie adulte
    ("10", "S", "SM40", "088"),
    ("40", "", "", "101"),  # chirurgien-dentiste → Odontologie
    ("40", "S", "SCD01", "104"),  # orthopédie dento-faciale
    ("50", "", "", "282"),  # sage-femme → Périnatalité
    ("60", "", "", "287"),  # infirmier → Soins techniques infirmiers
    ("60", "S", "SI01", "287"),  # IPA: falls back to the profession
    ("70", "", "", "339"),  # kinésithérapeute → Kinésithérapie
    ("92", "", "", "106"),  # orthoptiste → Orthoptie
    ("93", "", "", "289"),
])
def test_mapping(profession: str, skill_type: str, skill: str, activity: str) -> None:
    assert operational_activity(profession, skill_type, skill).code == activity


def test_unmapped_physician_specialty_has_no_activity() -> None:
    found = operational_activity("10", "S", "SM03")
    assert found.code is None
    assert found.problem.startswith("no operational activity (JDV_J17) is mapped for Médecin "
                                    "with savoir-faire 'SM03'")


def test_profession_without_activity() -> None:
    assert operational_activity("21", "", "").code is None  # pharmacien: no officine activity
    assert "Pharmacien without savoir-faire" in operational_activity("21", "", "").problem


def test_unknown_profession() -> None:
    assert operational_activity("99", "", "").problem == "unknown profession code '99' (TRE_G15)"
