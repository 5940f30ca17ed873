"""ROR 0.7.0 profile validation (SPEC §1): table-driven rules plus per-resource code.

The tables live in rules_data; the per-resource rules that need code (slices recognised by a
coding system, Task inputs, Questionnaire contexts) live in resource_rules. Codes themselves
are checked by bindings, not here.
"""

from __future__ import annotations

from typing import Any

from openror.errors import Issue, error
from openror.fhir import profiles as p
from openror.fhir import resource_rules, rules_data
from openror.fhir.ext_rules import (
    check_cardinalities,
    check_extensions,
    check_reference_targets,
    dicts,
)
from openror.fhir.termport import TerminologyLike


def validate_profile(resource: dict[str, Any], terminology: TerminologyLike) -> list[Issue]:
    """Issues for the ROR rules of the resource's profile (none when it has no ROR profile)."""
    out: list[Issue] = []
    profile = p.profile_for(resource)
    rtype = resource.get("resourceType")
    if profile is None or not isinstance(rtype, str):
        return out
    check_cardinalities(resource, rtype, rules_data.ELEMENT_CARDINALITIES.get(profile, ()), out)
    root_exts = rules_data.ROOT_EXTENSIONS.get(profile)
    if root_exts:
        check_extensions(resource, rtype, root_exts, out)
    _check_template_version(resource, rtype, out)
    if profile in rules_data.TELECOM_PROFILES:
        _check_telecoms(resource, rtype, out)
    if profile in p.ORGANIZATION_PROFILES:
        _check_organization_contacts(resource, rtype, out)
    if profile in rules_data.AVAILABLE_TIME_PROFILES:
        for i, slot in dicts(resource.get("availableTime")):
            check_extensions(slot, f"{rtype}.availableTime[{i}]",
                             rules_data.AVAILABLE_TIME_EXTENSIONS, out)
    check_reference_targets(resource, rtype, rules_data.REFERENCE_TARGETS.get(profile, ()), out)
    specific = resource_rules.BY_PROFILE.get(profile)
    if specific is not None:
        specific(resource, terminology, out)
    return out


def _check_telecoms(container: dict[str, Any], path: str, out: list[Issue]) -> None:
    """Telecom pattern: value 1..1, channel 1..1, confidentiality 1..1 (SPEC §1.2)."""
    for i, telecom in dicts(container.get("telecom")):
        where = f"{path}.telecom[{i}]" if i >= 0 else f"{path}.telecom"
        if "value" not in telecom:
            out.append(error("required", f"{where}.value: missing; every ROR telecom has a "
                             "value (phone number, e-mail address...)", f"{where}.value"))
        check_extensions(telecom, where, rules_data.TELECOM_EXTENSIONS, out)


def _check_organization_contacts(org: dict[str, Any], rtype: str, out: list[Issue]) -> None:
    for i, contact in dicts(org.get("contact")):
        where = f"{rtype}.contact[{i}]"
        check_extensions(contact, where, rules_data.ORG_CONTACT_EXTENSIONS, out)
        _check_telecoms(contact, where, out)


def _check_template_version(resource: dict[str, Any], rtype: str, out: list[Issue]) -> None:
    """ror-questionnaire-version-required: the template canonical must be `url|version`."""
    for i, ext in dicts(resource.get("extension")):
        if ext.get("url") != p.EXT_TEMPLATE:
            continue
        value = ext.get("valueCanonical")
        if isinstance(value, str) and "|" not in value:
            where = f"{rtype}.extension[{i}].valueCanonical"
            out.append(error("invariant", f"{where}: {value!r} must include the questionnaire "
                             "version as 'url|version' (ror-questionnaire-version-required), "
                             f"e.g. '{value}|1'", where))
