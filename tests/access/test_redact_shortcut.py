"""The shortcut that serves stored bytes unparsed never skips a resource redaction would
change."""

from __future__ import annotations

import orjson
import pytest

from openror.access import policy
from openror.access.caller import Caller
from openror.access.redact import may_withhold, redact
from tests.access import world

RULES = [policy.field_rules(Caller("t", p), ms) for p in range(6) for ms in (False, True)]


@pytest.mark.parametrize("rules", RULES)
def test_what_redaction_changes_is_never_skipped(rules: policy.FieldRules) -> None:
    for body in world.resources():
        changed = redact(body["resourceType"], body, rules) != body
        if changed:
            assert may_withhold(body["resourceType"], orjson.dumps(body), rules), body["id"]


def test_the_shortcut_does_skip_what_has_nothing_to_withhold() -> None:
    plain = next(b for b in world.resources() if b["id"] == "eg-84")
    assert not may_withhold("Organization", orjson.dumps(plain), policy.OPEN_DATA)
