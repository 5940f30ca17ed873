"""The Ror-* request headers (SPEC.md §3.8): each mode, missing and differing values."""

from __future__ import annotations

import pytest

from openror.access import ror_headers as ror
from openror.errors import Forbidden, InvalidInput

WANTED = ror.expected(f"{ror.DEFAULT_PROFILE_SYSTEM}|CU22", "1.2.3|AUTOMATE")
GOOD = {ror.PROFILE_CODE: ["CU22"], ror.PROFILE_SYSTEM: [ror.DEFAULT_PROFILE_SYSTEM],
        ror.ROLE_CODE: ["AUTOMATE"], ror.ROLE_SYSTEM: ["1.2.3"]}


def test_a_stored_value_gives_the_header_pairs() -> None:
    assert dict(WANTED) == {name: values[0] for name, values in GOOD.items()}
    assert ror.expected(None, None) == ()


def test_values_are_given_as_code_or_system_and_code() -> None:
    assert ror.assignment("CU22", "1.2", "--ror-profile") == "1.2|CU22"
    assert ror.assignment(" 9.9|AUTOMATE ", "1.2", "--ror-role") == "9.9|AUTOMATE"
    for bad in ("", "a b", "é", "1.2|", "x" * 101):
        with pytest.raises(InvalidInput, match=r"--ror-role '.*' is not valid"):
            ror.assignment(bad, "1.2", "--ror-role")


@pytest.mark.parametrize("mode", ror.MODES)
def test_the_right_values_always_pass(mode: str) -> None:
    ror.check(mode, GOOD, WANTED, is_read=True)
    lower = {name.lower(): values for name, values in GOOD.items()}
    ror.check(mode, lower, WANTED, is_read=True)  # header names are case-insensitive


def test_required_names_every_missing_header_of_a_read() -> None:
    with pytest.raises(InvalidInput) as refused:
        ror.check(ror.REQUIRED, {ror.ROLE_CODE: ["AUTOMATE"]}, WANTED, is_read=True)
    assert [i.expression for i in refused.value.issues] == [
        (ror.PROFILE_CODE,), (ror.PROFILE_SYSTEM,), (ror.ROLE_SYSTEM,)]
    assert refused.value.issues[0].code == "required"
    ror.check(ror.REQUIRED, {}, WANTED, is_read=False)  # writes need not carry them
    ror.check(ror.ACCEPTED, {}, WANTED, is_read=True)


@pytest.mark.parametrize("mode", [ror.REQUIRED, ror.ACCEPTED])
def test_a_value_other_than_the_clients_is_forbidden(mode: str) -> None:
    for name in GOOD:
        sent = GOOD | {name: ["OTHER"]}
        with pytest.raises(Forbidden) as refused:
            ror.check(mode, sent, WANTED, is_read=False)
        assert [i.expression for i in refused.value.issues] == [(name,)]
        assert "OTHER" not in refused.value.message
    with pytest.raises(Forbidden):  # the right value and a second, other one
        ror.check(mode, GOOD | {ror.ROLE_CODE: ["AUTOMATE", "X"]}, WANTED, is_read=True)


def test_ignored_checks_nothing_and_unassigned_clients_are_not_compared() -> None:
    ror.check(ror.IGNORED, {ror.ROLE_CODE: ["OTHER"]}, WANTED, is_read=True)
    ror.check(ror.REQUIRED, GOOD | {ror.ROLE_CODE: ["ANY"]}, (), is_read=True)
    with pytest.raises(InvalidInput):
        ror.check(ror.REQUIRED, {}, (), is_read=True)
