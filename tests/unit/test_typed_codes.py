"""Typed text → code, the one reading of the search-as-you-type fields of the guided entry
(web.entry.choices.read_code) and of the editor (web.editor.vocab.code_of)."""

from __future__ import annotations

import pytest

from openror.terminology import default_terminology
from openror.web.editor import offer_form
from openror.web.editor.vocab import code_of
from openror.web.entry import choices
from openror.web.typed_codes import read_code

ACTS = offer_form.BY_NAME["actes"].vocabulary
assert ACTS is not None


@pytest.fixture(scope="module")
def acts() -> list[choices.Choice]:
    return choices.lists(default_terminology()).acts


@pytest.mark.parametrize("typed", [
    "ECG (électrocardiographie) (0172)",  # the option as the list sends it
    "  ECG (électrocardiographie) (0172) ",
    "0172",  # the bare code
    "ecg (electrocardiographie)",  # the label, case and accents aside
    "ECG  (électrocardiographie)",
])
def test_both_forms_read_the_same_code(typed: str, acts: list[choices.Choice]) -> None:
    assert choices.read_code(acts, typed) == "0172"
    assert code_of(ACTS, default_terminology(), typed) == "0172"


def test_labels_match_with_hyphens_and_apostrophes_aside(acts: list[choices.Choice]) -> None:
    typed = "echo doppler arteriel de l aorte"  # « Echo-doppler artériel de l'aorte »
    assert choices.read_code(acts, typed) == "1185"
    assert code_of(ACTS, default_terminology(), typed) == "1185"


def test_a_code_with_letters_and_a_hyphen(acts: list[choices.Choice]) -> None:
    """The editor's vocabularies hold codes such as « SM-54 » or « DEF »: the trailing code
    of the list's option is read whatever its characters."""
    offered = [choices.Choice("A-1.2", "Code composé"), choices.Choice("DEF", "Définitive")]
    assert read_code(offered, "Code composé (A-1.2)") == "A-1.2"
    assert read_code(offered, "définitive") == "DEF"


def test_unknown_text_is_kept_as_each_form_shows_it_back(acts: list[choices.Choice]) -> None:
    # the guided entry keeps the text, drawn again in its input for the person to correct
    assert choices.read_code(acts, "Acte inventé (9999)") == "Acte inventé (9999)"
    assert choices.read_code(acts, "zorglub") == "zorglub"
    # the editor keeps the unknown trailing code, which the write path's message names
    assert code_of(ACTS, default_terminology(), "Acte inventé (9999)") == "9999"
    assert code_of(ACTS, default_terminology(), "zorglub") == "zorglub"


def test_empty_text_is_no_code(acts: list[choices.Choice]) -> None:
    assert choices.read_code(acts, "  ") == ""
    assert code_of(ACTS, default_terminology(), "") == ""
