"""Check digits, projections and scopes of the FINESS importer."""

from __future__ import annotations

import pytest

from openror.importers import finess_proj
from openror.importers.base import Key
from openror.importers.checkdigits import finess_error, siren_error, siret_error
from openror.importers.finess import FinessSource
from openror.importers.finess_model import SYSTEM_FINESS, SYSTEM_PLACE


@pytest.mark.parametrize("number", ["010000024", "970300026", "2A0000022", "2B0000079"])
def test_real_finess_numbers_pass(number: str) -> None:
    assert finess_error(number) is None


@pytest.mark.parametrize(("number", "expected"), [
    ("010000025", "check digit"), ("01000002", "8 characters"), ("01000002X", "not 9 digits"),
    ("2C0000022", "not 9 digits"),
])
def test_wrong_finess_numbers(number: str, expected: str) -> None:
    assert expected in (finess_error(number) or "")


def test_siren_and_siret() -> None:
    assert siren_error("260100045") is None
    assert siret_error("26010004500012") is None
    assert "check digit" in (siret_error("26010004500013") or "")
    assert "check digit" in (siren_error("260100046") or "")
    assert siret_error("35600000000047") is None  # La Poste: digit sum multiple of 5
    assert siret_error("35600000000048") is not None


def test_lambert93_origin_converts_exactly() -> None:
    lat, lon = finess_proj.to_wgs84(700000.0, 6600000.0, finess_proj.LAMBERT_93)
    assert lat == pytest.approx(46.5, abs=1e-6)
    assert lon == pytest.approx(3.0, abs=1e-6)


def test_lambert93_point_matches_finess_own_wgs84() -> None:
    # FINESS structures example: Clinique Convert, Bourg-en-Bresse (46.211257, 5.254203)
    lat, lon = finess_proj.to_wgs84(873766.07, 6570414.61, finess_proj.LAMBERT_93)
    assert (lat, lon) == pytest.approx((46.211257, 5.254203), abs=1e-6)


@pytest.mark.parametrize(("label", "territory", "crs"), [
    ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93", "01", "EPSG:2154"),
    ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20", "971", "EPSG:5490"),
    ("UTM_N22", "973", "EPSG:2972"), ("UTM_S40", "974", "EPSG:2975"),
    ("UTM_S38", "976", "EPSG:4471"), ("UTM_N21", "975", "EPSG:4467"),
    ("", "973", "EPSG:2972"), ("", "2A", "EPSG:2154"),
])
def test_projection_labels(label: str, territory: str, crs: str) -> None:
    assert finess_proj.crs_of(label, territory) == crs


def test_unknown_projection_label() -> None:
    with pytest.raises(finess_proj.UnknownProjection):
        finess_proj.crs_of("1,X,LAMBERT_II_ETENDU", "01")


def test_misread_overseas_position_is_repaired() -> None:
    # flrt/finess-fhir put CH de Cayenne at (-2.41, 0.74): UTM 22N read as Lambert 93
    lat, lon = finess_proj.reproject_misread(-2.4101596555321363, 0.7425999981155279,
                                             "EPSG:2972")
    assert (lat, lon) == pytest.approx((4.92364, -52.31979), abs=1e-4)


@pytest.mark.parametrize(("value", "scope"), [
    ("010000024", "01"), ("2A0000022", "2A"), ("2B0000079", "2B"), ("970100228", "971"),
    ("970200014", "972"), ("970300026", "973"), ("970400255", "974"), ("976000123", "976"),
])
def test_scope_of_key(value: str, scope: str) -> None:
    source = FinessSource()
    assert source.scope_of_key(Key(SYSTEM_FINESS, value)) == scope
    assert source.scope_of_key(Key(SYSTEM_PLACE, value)) == scope
    assert source.key_systems() == {SYSTEM_FINESS, SYSTEM_PLACE}
