"""Entry point of resource validation: structure, then ROR profile, then terminology."""

from __future__ import annotations

from typing import Any

from openror.errors import Issue
from openror.fhir.bindings import check_codings
from openror.fhir.r4model import r4_model
from openror.fhir.ror_rules import validate_profile
from openror.fhir.structure import CodingSite, walk
from openror.fhir.termport import TerminologyLike


def validate_resource(resource: dict[str, Any], terminology: TerminologyLike,
                      previous: dict[str, Any] | None = None) -> list[Issue]:
    """All issues of a resource, errors first (stable order otherwise).

    Profile and terminology checks still run when the structure has errors, so that one
    round trip reports as much as possible; they read the JSON defensively. With
    ``previous``, the stored version an update replaces, the structure and the codes of the
    values it leaves unchanged are not checked again (structure.walk); the profile's rules,
    which relate elements to each other, read the whole resource.
    """
    codings: list[CodingSite] = []
    issues = walk(resource, codings, previous)
    rtype = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(rtype, str) or rtype not in r4_model().resources:
        return issues  # not a resource we know: nothing else is meaningful
    issues += validate_profile(resource, terminology)
    issues += check_codings(codings, terminology)
    issues.sort(key=lambda i: not i.is_error)
    return issues
