"""Each name normalisation step, and their composition."""

from __future__ import annotations

import pytest

from openror.geo.names import (
    NAME_STEPS,
    canonical_arrondissement,
    collapse_spaces,
    departement_of_postal_code,
    drop_cedex,
    expand_saint,
    normalise_name,
    normalise_postal_code,
    punctuation_to_space,
    upper_ascii,
)


def test_steps_are_listed_in_order() -> None:
    expected = (upper_ascii, punctuation_to_space, collapse_spaces, drop_cedex, expand_saint,
                canonical_arrondissement)
    assert expected == NAME_STEPS


def test_upper_ascii() -> None:
    assert upper_ascii("Élancourt") == "ELANCOURT"
    assert upper_ascii("Œuilly") == "OEUILLY"
    assert upper_ascii("Châlons-en-Champagne") == "CHALONS-EN-CHAMPAGNE"


def test_punctuation_to_space() -> None:
    assert punctuation_to_space("L'ISLE-ADAM") == "L ISLE ADAM"
    assert punctuation_to_space("L’HAŸ") == "L HAŸ"


def test_collapse_spaces() -> None:
    assert collapse_spaces("  SAINT   LO ") == "SAINT LO"


@pytest.mark.parametrize(("raw", "expected"), [
    ("LAON CEDEX", "LAON"), ("PARIS CEDEX 15", "PARIS"), ("LYON CEDEX 03", "LYON"),
    ("CEDEXVILLE", "CEDEXVILLE"),
])
def test_drop_cedex(raw: str, expected: str) -> None:
    assert drop_cedex(raw) == expected


def test_expand_saint() -> None:
    assert expand_saint("ST GERMAIN EN LAYE") == "SAINT GERMAIN EN LAYE"
    assert expand_saint("STE FOY") == "SAINTE FOY"
    assert expand_saint("STRASBOURG") == "STRASBOURG"


@pytest.mark.parametrize("raw", ["PARIS 15", "PARIS 15E", "PARIS 15EME", "PARIS 15E ARRONDISSEMENT",
                                 "PARIS 15 EME"])
def test_canonical_arrondissement(raw: str) -> None:
    assert canonical_arrondissement(raw) == "PARIS 15"


def test_canonical_arrondissement_other_cities() -> None:
    assert canonical_arrondissement("MARSEILLE 01") == "MARSEILLE 1"
    assert canonical_arrondissement("LYON 1ER ARRONDISSEMENT") == "LYON 1"
    assert canonical_arrondissement("TOULOUSE 15") == "TOULOUSE 15"


def test_normalise_name() -> None:
    assert normalise_name("Saint-Quentin") == normalise_name("st quentin cedex 3")
    assert normalise_name("Paris 15e Arrondissement") == "PARIS 15"
    assert normalise_name("L'Abergement-Clémenciat") == "L ABERGEMENT CLEMENCIAT"


def test_postal_codes() -> None:
    assert normalise_postal_code(" 2000") == "02000"
    assert normalise_postal_code("75 015") == "75015"
    assert departement_of_postal_code("02000") == "02"
    assert departement_of_postal_code("20090") == "2A"
    assert departement_of_postal_code("20200") == "2B"
    assert departement_of_postal_code("97300") == "973"
    assert departement_of_postal_code("97133") == "977"
    assert departement_of_postal_code("98000") is None
    assert departement_of_postal_code("ABCDE") is None
