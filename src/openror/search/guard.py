"""Refuse the searches that would reveal what the caller may not read.

Hiding resources is not enough: matching on a field a profile may not see (a capacity, an
equipment, a specific act) tells which resources have it. Such criteria are refused with a
403 that says what the profile allows. Profile 3 sees the medico-social offer more fully than
the rest, but a search does not know in advance which field its matches belong to, so
profile 3 searches with the open-data rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from openror.access import policy
from openror.access.caller import Caller
from openror.access.policy import Capacities, FieldRules
from openror.errors import Forbidden, error
from openror.fhir.search_params import param
from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Correlated,
    Criterion,
    Drive,
    Has,
    Match,
    Missing,
    Not,
    Query,
    Resolved,
    TokenValue,
)

CAPACITY_PARAMS = frozenset({
    "capacity-status", "capacity-type", "temporality-capacity", "gender-capacity-available",
    "capacity-closing-type", "additional-bed-type", "crisis-type", "temporary-assignement",
    "nb-capacity", "capacity-update-date"})
EQUIPMENT_PARAMS = frozenset({"equipment-type", "equipment-feature", "limit-value"})
#: capacity status codes each capacity rule lets a search match on
_STATUSES = {Capacities.INSTALLED: frozenset({policy.INSTALLED}),
             Capacities.NO_SUPPLEMENTARY: frozenset({"01", "02", "03", "04", "05"})}

Found = tuple[str, Criterion]  # (resource type, criterion on it)


def check(caller: Caller, q: Query) -> None:
    if caller.profile == 1:
        return
    rules = policy.field_rules(caller, medico_social=False)
    for rtype, c in _criteria(q.rtype, q.criteria):
        reason = _refusal(rtype, c, rules)
        if reason:
            _refuse(caller, reason)
    for key in q.sort:
        rtype = _sorted_type(q.rtype, key.path)
        if _field_class(rtype, key.path[-1], rules):
            _refuse(caller, f"it may not sort by '{key.path[-1]}'")


def _criteria(rtype: str, c: Criterion) -> Iterator[Found]:
    """Every Match, Missing and Correlated group in the tree, with the type it applies to."""
    if isinstance(c, (Match, Missing, Correlated)):
        yield rtype, c
    elif isinstance(c, (AllOf, AnyOf)):
        for item in c.items:
            yield from _criteria(rtype, item)
    elif isinstance(c, (Not, Drive)):
        yield from _criteria(rtype, c.item)
    elif isinstance(c, Resolved):
        yield from _criteria(rtype, c.original)
    elif isinstance(c, Chain):
        yield from _criteria(c.target, c.inner)
    elif isinstance(c, Has):
        yield from _criteria(c.source, c.inner)


def _refusal(rtype: str, c: Criterion, rules: FieldRules) -> str | None:
    if isinstance(c, Correlated):
        if any(m.param.name in CAPACITY_PARAMS for m in c.matches):
            return _capacity_group(list(c.matches), rules.capacities)
        return next(filter(None, (_refusal(rtype, m, rules) for m in c.matches)), None)
    assert isinstance(c, (Match, Missing))
    name = c.param.name
    if name in CAPACITY_PARAMS and isinstance(c, Match):
        return _capacity_group([c], rules.capacities)
    if name == "characteristic" and rtype == "HealthcareService" and not rules.acts:
        return None if isinstance(c, Missing) or _public(c) else (
            "it sees the public characteristics only (care mode, reception, annual opening, "
            "maternity type): give each value with its system, one of these")
    field = _field_class(rtype, name, rules)
    return f"it may not search on '{name}' ({field})" if field else None


def _capacity_group(matches: list[Match], shown: Capacities) -> str | None:
    if shown is Capacities.ALL:
        return None
    if shown is Capacities.NONE:
        return "it does not see capacities"
    allowed = _STATUSES[shown]
    status = next((m for m in matches if m.param.name == "capacity-status"), None)
    if status is not None and not status.modifier and all(
            isinstance(v, TokenValue) and v.code in allowed for v in status.values):
        return None
    return ("it sees capacities whose status is one of " + ", ".join(sorted(allowed)) +
            " only: give capacity-status with those codes alongside the other capacity "
            "criteria")


def _public(m: Match) -> bool:
    return m.modifier in ("", "not") and all(
        isinstance(v, TokenValue) and v.system in policy.PUBLIC_CHARACTERISTICS
        for v in m.values)


def _field_class(rtype: str, name: str, rules: FieldRules) -> str | None:
    """The field class a parameter reads, when the rules withhold it."""
    if rtype == "Location" and name in CAPACITY_PARAMS and rules.capacities is not \
            Capacities.ALL:
        return "capacities"
    if rtype == "Location" and name in EQUIPMENT_PARAMS and not rules.equipment:
        return "equipment"
    if rtype == "HealthcareService" and name == "characteristic" and not rules.acts:
        return "acts and competences"
    if rtype == "Organization" and name == "drop-zone" and not rules.crisis:
        return "crisis data"
    return None


def _sorted_type(rtype: str, path: tuple[str, ...]) -> str:
    for name in path[:-1]:
        p = param(rtype, name)
        assert p is not None
        rtype = p.targets[0]
    return rtype


def _refuse(caller: Caller, reason: str) -> None:
    raise Forbidden([error("forbidden", f"access profile {caller.profile}: {reason}")])
