"""check(): ok / unknown / retired, including codes dropped by a newer release."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from pathlib import Path

import pytest

from openror.terminology import Terminology, load_release

TRE_R213 = "https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge"
JDV_J19 = "https://mos.esante.gouv.fr/NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR"

def test_ok(term: Terminology) -> None:
    for system in (TRE_R213, JDV_J19, None, "urn:oid:1.2.250.1.213.3.3.13"):
        result = term.check("JDV_J19", system, "32")
        assert result.status == "ok" and result.ok


def test_unknown_code_message(term: Terminology) -> None:
    result = term.check("JDV_J19", TRE_R213, "99")
    assert result.status == "unknown-code" and not result.ok
    assert result.message == (
        "code '99' is not in JDV_J19-ModePriseEnCharge-ROR (TRE_R213-ModePriseEnCharge); "
        "use one of its codes"
    )


def test_leading_zeros_matter(term: Terminology) -> None:
    assert term.check("JDV_J17", None, "022").ok
    assert term.check("JDV_J17", None, "22").status == "unknown-code"


def test_system_only(term: Terminology) -> None:
    assert term.check(None, TRE_R213, "32").ok
    # R213 is only known through its value sets: an unlisted code cannot be judged...
    assert term.check(None, TRE_R213, "99").status == "unknown-system"
    # ...while a code system bundled in full can reject one.
    r355 = term.code_system_url("TRE_R355")
    assert r355 is not None
    assert term.check(None, r355, "35").ok
    assert term.check(None, r355, "99").status == "unknown-code"
    assert term.check(None, "http://example.org", "1").status == "unknown-system"
    assert term.check(None, None, "1").status == "unknown-system"


def test_wrong_system_for_value_set(term: Terminology) -> None:
    wrong = term.check("JDV_J19", "TRE_R227-ChampActivite", "01")
    assert wrong.status == "unknown-code" and "TRE-R213" in wrong.message
    assert term.check("JDV_J19", "http://example.org", "32").status == "unknown-system"


def test_unknown_value_set(term: Terminology) -> None:
    assert term.check("JDV_J35", None, "01").status == "unknown-valueset"  # not bundled


def test_retired_old_commune_code(term: Terminology) -> None:
    result = term.check("JDV_J124", "TRE_R13-CommuneOM", "01003")  # merged into 01165
    assert result.status == "retired" and result.ok
    assert "JDV_J124-Commune" in result.message
    assert term.check("JDV_J124", None, "01165").status == "ok"


def test_spec_retired_gender(term: Terminology) -> None:
    assert term.check("JDV_J190", None, "03").status == "retired"
    assert term.check("JDV_J190", None, "04").status == "ok"


def test_newer_release_retires_dropped_code(
    term: Terminology, tmp_path: Path, write_tabs: Callable[..., Path]
) -> None:
    rows = ["1.2.250.1.213.3.3.13;32;Consultation (renamed)", "1.2.250.1.213.3.3.13;99;New mode"]
    newer = load_release([write_tabs(tmp_path / "j19.tabs", "JDV_J19-ModePriseEnCharge-ROR", rows)])
    stacked = term.with_release(newer)
    assert stacked.check("JDV_J19", TRE_R213, "99").status == "ok"
    assert stacked.display(TRE_R213, "32") == "Consultation (renamed)"
    dropped = stacked.check("JDV_J19", JDV_J19, "46")
    assert dropped.status == "retired"
    assert stacked.check(None, TRE_R213, "46").status == "retired"
    assert {c.code for c in stacked.expand("JDV_J19")} == {"32", "99"}
    assert "46" in {c.code for c in stacked.expand("JDV_J19", include_retired=True)}
    assert term.check("JDV_J19", TRE_R213, "46").status == "ok"  # original untouched


def test_code_kept_active_by_another_value_set(
    term: Terminology, tmp_path: Path, write_tabs: Callable[..., Path]
) -> None:
    # R253 feeds J42 and J227: dropping a code from J227 alone keeps it active in R253.
    rows = ["1.2.250.1.213.3.3.52;01;Maternité de type 1"]
    newer = load_release([write_tabs(tmp_path / "j227.tabs", "JDV_J227-NiveauExpertise-ROR", rows)])
    stacked = term.with_release(newer)
    assert stacked.check("JDV_J42", None, "04").status == "ok"
    assert stacked.check("JDV_J227", None, "04").status == "retired"


def test_load_release_rejects_unknown_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(Exception, match="unsupported file type"):
        load_release([path])


@pytest.mark.parametrize("code", ["32", "99"])
def test_check_is_fast(term: Terminology, code: str) -> None:
    per_call = timeit.timeit(lambda: term.check("JDV_J19", TRE_R213, code), number=2000) / 2000
    assert per_call < 50e-6
