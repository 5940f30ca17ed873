"""What each role lets a person read, and which region scopes it amounts to."""

from __future__ import annotations

from openror.access.caller import Grant
from openror.access.roles import ADMIN, OPERATOR, PROFESSIONAL, REFERENT, person_caller


def test_read_rights_are_the_widest_role() -> None:
    cases = [
        ([], 0, set()),
        ([Grant(PROFESSIONAL)], 2, set()),
        ([Grant(REFERENT, "eg-a")], 2, set()),
        ([Grant(OPERATOR, "32")], 1, {"32"}),
        ([Grant(OPERATOR, "32"), Grant(OPERATOR, "84"), Grant(REFERENT, "x")], 1, {"32", "84"}),
        ([Grant(ADMIN), Grant(OPERATOR, "32")], 1, set()),
    ]
    for grants, profile, regions in cases:
        caller = person_caller("someone", None, grants)
        assert (caller.profile, set(caller.regions)) == (profile, regions), grants


def test_operators_and_administrators_write_by_region() -> None:
    assert person_caller("a", None, [Grant(ADMIN)]).writes == {"all"}
    assert person_caller("o", None, [Grant(OPERATOR, "32")]).writes == {"region:32"}
    assert person_caller("r", None, [Grant(REFERENT, "x")]).writes == frozenset()


def test_a_professional_is_scoped_by_the_linked_practitioner() -> None:
    caller = person_caller("pro", "pract-1", [Grant(PROFESSIONAL)])
    assert caller.grants == (Grant(PROFESSIONAL, "pract-1"),)
    assert caller.actor == "user:pro"
