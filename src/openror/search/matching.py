"""Whether one resource matches search criteria, as a caller may see it: the test a
subscription makes in the writer's transaction (sync.subscriptions).

The criteria are bounded by ``_id``, so the plan probes that one resource for each criterion
(``sql.all_of``) instead of computing any set of ids; the read policy hides what the caller
may not see, as in every search (``scope``).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

import sqlalchemy as sa

from openror.access.caller import Caller
from openror.errors import Forbidden, InvalidInput, error
from openror.fhir.resource_types import REGISTRY
from openror.search import guard
from openror.search.parse import RESULT_PARAMS, parse_query
from openror.search.plan import statement
from openror.search.scope import searching_as

Pairs = tuple[tuple[str, str], ...]


def parse_criteria(criteria: str, where: str) -> tuple[str, Pairs]:
    """``Type?param=value&…`` → (type, pairs), checked as a strict search would be; every
    mistake is a 400 naming ``where``."""
    rtype, _, query = criteria.strip().partition("?")
    if rtype not in REGISTRY or not REGISTRY[rtype].allows("search-type"):
        raise _invalid(where, f"'{rtype}' is not a resource type this server searches: use "
                       f"one of {', '.join(REGISTRY)}, as in HealthcareService?_tag=…|11")
    pairs = tuple(parse_qsl(query, keep_blank_values=True))
    for key, _ in pairs:
        if key.split(":", 1)[0] in RESULT_PARAMS:
            raise _invalid(where, f"'{key}' says how results are presented, not which "
                           "resources match: leave it out of the criteria")
    try:
        parse_query(rtype, pairs, strict=True)
    except InvalidInput as exc:
        raise InvalidInput([error(i.code, _named(i.expression, i.diagnostics), where)
                            for i in exc.issues]) from None
    return rtype, pairs


def may_search(caller: Caller, rtype: str, pairs: Sequence[tuple[str, str]]) -> None:
    """Forbidden when the criteria use a field the caller may not read (``guard``)."""
    guard.check(caller, parse_query(rtype, tuple(pairs), strict=True))


def matches(conn: sa.Connection, caller: Caller, rtype: str, rid: str,
            pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether the live resource ``rtype/rid`` matches, as ``caller`` may see it (False when
    its criteria are no longer allowed to it)."""
    q = parse_query(rtype, (("_id", rid), *pairs), strict=True)
    try:
        guard.check(caller, q)
    except Forbidden:
        return False
    with searching_as(caller):
        return conn.execute(statement(q).limit(1)).first() is not None


def _named(expression: tuple[str, ...], diagnostics: str) -> str:
    if not expression or diagnostics.startswith(expression[0]):
        return diagnostics
    return f"{expression[0]}: {diagnostics}"


def _invalid(where: str, message: str) -> InvalidInput:
    return InvalidInput([error("invalid", message, where)])
