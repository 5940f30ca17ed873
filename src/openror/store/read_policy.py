"""Stored bytes as a caller may see them: the field rules of ``access.policy`` applied by
``access.redact``, with the one fact about the resource they may depend on (whether it is
medico-social, for profile 3) read from the search index."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from openror.access import policy
from openror.access.caller import Caller
from openror.access.redact import may_withhold, redact
from openror.store import visibility
from openror.store.search_rows import is_sensitive_unit

#: the types with something to redact (telecoms, contacts, acts, equipment, capacities…)
REDACTED_TYPES = frozenset({"Organization", "HealthcareService", "Location", "Practitioner",
                            "PractitionerRole"})


def version_withheld(caller: Caller, rtype: str, content: bytes | None) -> bool:
    """Whether a version must not be served even though its resource is visible now: an
    earlier version of an offer that was a sensitive unit then."""
    if content is None or rtype != "HealthcareService" or policy.sees_sensitive_units(caller):
        return False
    return is_sensitive_unit(orjson.loads(content))


def shown(conn: sa.Connection, caller: Caller, rtype: str, rid: str, content: bytes,
          medico_social: bool | None = None) -> bytes:
    """``content`` (a stored version) without what the caller may not see; the same bytes
    when nothing is withheld. ``medico_social``: whether the resource is of that field, when
    the caller already knows (an export reads it for all at once); None: looked up."""
    if rtype not in REDACTED_TYPES or caller.profile == 1:
        return content
    ms = caller.profile == 3 and (visibility.medico_social(conn, rtype, rid)
                                  if medico_social is None else medico_social)
    rules = policy.field_rules(caller, ms)
    if not may_withhold(rtype, content, rules):
        return content
    body = orjson.loads(content)
    kept = redact(rtype, body, rules)
    return content if kept == body else orjson.dumps(kept)
