"""The roles of people and what each lets them read and write.

- *professional*: their own practice (the Practitioner linked to the account and what hangs
  off it); scope: none (the link is the account's practitioner);
- *referent*: one Organization (legal entity or site) and everything under it; scope: its id;
- *operator* (regional operator): everything tagged with one region; scope: its INSEE code;
- *admin* (national administrator): everything; no scope.

Operators and administrators write through the region scopes API clients have; professionals
and referents through the resource hierarchy, which the write path walks
(services.scopes).
"""

from __future__ import annotations

from collections.abc import Iterable

from openror.access.caller import WRITE_ALL, Caller, Grant

PROFESSIONAL = "professional"
REFERENT = "referent"
OPERATOR = "operator"
ADMIN = "admin"
ROLES = (PROFESSIONAL, REFERENT, OPERATOR, ADMIN)
#: roles whose scope is stored with the role (a professional's comes from the account)
SCOPED = frozenset({REFERENT, OPERATOR})
#: roles decided by walking the hierarchy rather than by region
HIERARCHICAL = frozenset({PROFESSIONAL, REFERENT})


def label(grant: Grant) -> str:
    """``role[:scope]``, as the CLI takes and shows it."""
    return grant.role if grant.scope is None else f"{grant.role}:{grant.scope}"


def read_rights(grants: Iterable[Grant]) -> tuple[int, frozenset[str]]:
    """(access profile, regions) a person reads with: the widest of their roles.

    An administrator reads everything (profile 1); a regional operator reads its regions in
    full (profile 1, nothing of other regions); a professional or a referent reads as a
    professional (profile 2, every region); no role: open data (profile 0)."""
    roles = {g.role for g in grants}
    if ADMIN in roles:
        return 1, frozenset()
    regions = frozenset(g.scope for g in grants if g.role == OPERATOR and g.scope)
    if regions:
        return 1, regions
    if roles & HIERARCHICAL:
        return 2, frozenset()
    return 0, frozenset()


def write_scopes(grants: Iterable[Grant]) -> frozenset[str]:
    """The region write scopes (as API clients have them) the roles amount to."""
    scopes: set[str] = set()
    for grant in grants:
        if grant.role == ADMIN:
            scopes.add(WRITE_ALL)
        elif grant.role == OPERATOR and grant.scope:
            scopes.add(f"region:{grant.scope}")
    return frozenset(scopes)


def person_caller(login: str, practitioner_id: str | None, grants: Iterable[Grant]) -> Caller:
    """The caller a person's account stands for. A professional's scope is the account's
    practitioner (none linked: the role governs nothing)."""
    resolved = tuple(Grant(PROFESSIONAL, practitioner_id) if g.role == PROFESSIONAL else g
                     for g in grants)
    profile, regions = read_rights(resolved)
    return Caller(actor=f"user:{login}", profile=profile, regions=regions,
                  writes=write_scopes(resolved), grants=resolved)
