"""ROR rules that need code: slices recognised by coding system or by a type code.

Each function takes (resource, terminology, out) and appends issues; BY_PROFILE maps a profile
URL to its function. The terminology is only used to canonicalise coding systems, so that JDV
URLs or trailing slashes used as `coding.system` (SPEC §8) still match their slice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from openror.errors import Issue, error, warning
from openror.fhir import capacity_indicators
from openror.fhir import profiles as p
from openror.fhir.ext_rules import card_text, dicts
from openror.fhir.rules_data import QUESTIONNAIRE_STATUSES, TASK_INPUTS
from openror.fhir.termport import TerminologyLike

Rule = Callable[[dict[str, Any], TerminologyLike, list[Issue]], None]


def _child(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """obj[key] when it is an object, else {} (the structure pass reports wrong kinds)."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _systems(concept: dict[str, Any], terminology: TerminologyLike) -> set[str]:
    out = set()
    for _, coding in dicts(concept.get("coding")):
        system = coding.get("system")
        if isinstance(system, str):
            out.add(terminology.canonical_system(system.strip().rstrip("/")))
    return out


def _count_by_system(items: Any, system: str, terminology: TerminologyLike) -> int:
    return sum(1 for _, c in dicts(items) if system in _systems(c, terminology))


def healthcare_service(hs: dict[str, Any], terminology: TerminologyLike,
                       out: list[Issue]) -> None:
    system = p.TRE_R211_OPERATIONAL_ACTIVITY
    activity = _count_by_system(hs.get("specialty"), system, terminology)
    if activity != 1:
        where = f"HealthcareService.specialty.where(coding.system='{system}')"
        out.append(error("required" if activity == 0 else "structure",
                         f"HealthcareService.specialty: exactly one operational activity "
                         f"(slice operationalActivity, TRE_R211 / JDV_J17) is required, found "
                         f"{activity}", where))
    care_modes = _count_by_system(hs.get("characteristic"), p.TRE_R213_CARE_MODE, terminology)
    where = f"HealthcareService.characteristic.where(coding.system='{p.TRE_R213_CARE_MODE}')"
    if care_modes == 0:
        # 1..1 in the profile, but the official 0.7.0 example HealthcareService/1234564 has
        # none (the kit cannot enforce the slice either), so it is a warning, not an error.
        out.append(warning("required", "HealthcareService.characteristic: no care mode (slice "
                           "careMode, TRE_R213 / JDV_J19); the profile expects exactly one",
                           where))
    elif care_modes > 1:
        out.append(error("structure", f"HealthcareService.characteristic: {care_modes} care "
                         "modes (slice careMode, TRE_R213 / JDV_J19); exactly one is allowed",
                         where))
    _check_age_ranges(hs, out)


def _check_age_ranges(hs: dict[str, Any], out: list[Issue]) -> None:
    """patient-type.ageRange needs both bounds, in years (UCUM `a`)."""
    for i, ext in dicts(hs.get("extension")):
        if ext.get("url") != p.EXT_PATIENT_TYPE:
            continue
        for j, sub in dicts(ext.get("extension")):
            age = sub.get("valueRange")
            if sub.get("url") != "ageRange" or not isinstance(age, dict):
                continue
            base = f"HealthcareService.extension[{i}].extension[{j}].valueRange"
            for bound in ("low", "high"):
                quantity = age.get(bound)
                if not isinstance(quantity, dict) or "value" not in quantity:
                    out.append(error("required", f"{base}.{bound}: ageRange needs both a low "
                                     "and a high age (use 0 and 150 for no limit)",
                                     f"{base}.{bound}"))
                elif quantity.get("code", "a") != "a":
                    out.append(warning("value", f"{base}.{bound}: ages are expressed in years "
                                       f"(UCUM code 'a'), found {quantity.get('code')!r}",
                                       f"{base}.{bound}.code"))


def practitioner(res: dict[str, Any], terminology: TerminologyLike, out: list[Issue]) -> None:
    count = sum(1 for _, ident in dicts(res.get("identifier"))
                if ident.get("system") == p.SYSTEM_IDNATPS)
    if count != 1:
        where = f"Practitioner.identifier.where(system='{p.SYSTEM_IDNATPS}')"
        out.append(error("required" if count == 0 else "structure",
                         f"Practitioner.identifier: exactly one idNatPs identifier (system "
                         f"{p.SYSTEM_IDNATPS}) is required, found {count}", where))


def task(res: dict[str, Any], terminology: TerminologyLike, out: list[Issue]) -> None:
    found: dict[str, list[int]] = {}
    for i, item in dicts(res.get("input")):
        for _, coding in dicts(_child(item, "type").get("coding")):
            code = coding.get("code")
            if isinstance(code, str) and code in TASK_INPUTS:
                found.setdefault(code, []).append(i)
    for code, (low, high, value) in TASK_INPUTS.items():
        positions = found.get(code, [])
        if len(positions) < low or (high is not None and len(positions) > high):
            where = f"Task.input.where(type.coding.code='{code}')"
            out.append(error("required" if len(positions) < low else "structure",
                             f"Task.input: slice {code} (type {p.INPUT_TASK_CS}#{code}) "
                             f"expects {card_text(low, high)}, found {len(positions)}", where))
        for i in positions if value else ():
            if f"value{value}" not in res["input"][i]:
                where = f"Task.input[{i}]"
                out.append(error("value", f"{where}: input {code} must carry value{value}",
                                 where))


def questionnaire(res: dict[str, Any], terminology: TerminologyLike, out: list[Issue]) -> None:
    cat_eg = sum(1 for _, ctx in dicts(res.get("useContext"))
                 if _child(ctx, "code").get("code") == "EG")
    if cat_eg == 0:
        out.append(error("required", "Questionnaire.useContext: at least one catEG context "
                         f"(code {p.TRE_R67_STRUCTURE_TYPE}#EG, value from JDV_J55) is required",
                         "Questionnaire.useContext.where(code.code='EG')"))
    status = res.get("status")
    if isinstance(status, str) and status not in QUESTIONNAIRE_STATUSES:
        out.append(error("code-invalid", f"Questionnaire.status: {status!r} is not allowed for "
                         "ROR templates; use draft, active or retired", "Questionnaire.status"))
    items = list(_items(res.get("item"), "Questionnaire"))
    _check_items(items, out)


def _items(items: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(FHIRPath, item) of every item of the template, depth first."""
    for i, item in dicts(items):
        where = f"{path}.item[{i}]"
        yield where, item
        yield from _items(item.get("item"), where)


def _check_items(items: list[tuple[str, dict[str, Any]]], out: list[Issue]) -> None:
    """item.code is 0..0 at every level; linkIds are unique (que-2), so that enableWhen and
    answers name one item, and enableWhen names an item of the template; an item offers its
    answers either as options or as a value set (que-4)."""
    seen: set[Any] = set()
    for where, item in items:
        if "code" in item:
            out.append(error("structure", f"{where}.code is not allowed by the ROR profile "
                             "(0..0)", f"{where}.code"))
        link_id = item.get("linkId")
        if link_id in seen:
            out.append(error("invariant", f"{where}.linkId: {link_id!r} is used by another "
                             "item; linkIds must be unique in the template (que-2)",
                             f"{where}.linkId"))
        seen.add(link_id)
        if "answerOption" in item and "answerValueSet" in item:
            out.append(error("invariant", f"{where}: an item has answerOption or "
                             "answerValueSet, not both (que-4)", f"{where}.answerValueSet"))
    for where, item in items:
        for j, cond in dicts(item.get("enableWhen")):
            if cond.get("question") not in seen:
                out.append(error("invariant", f"{where}.enableWhen[{j}].question: no item of "
                                 f"the template has the linkId {cond.get('question')!r}",
                                 f"{where}.enableWhen[{j}].question"))


#: a capacity record is indexed as one row per combination of the values of its fields
#: (store.capacity_records): beyond this many, the record is refused
MAX_CAPACITY_COMBINATIONS = 1000
_CAPACITY = p.SD + "ror-location-supported-capacity"


def location(resource: dict[str, Any], terminology: TerminologyLike, out: list[Issue]) -> None:
    out += capacity_indicators.place_issues(resource)
    for i, ext in dicts(resource.get("extension")):
        if ext.get("url") != _CAPACITY:
            continue
        size = 1
        for count in _values_per_field(ext).values():
            size *= count
        if size > MAX_CAPACITY_COMBINATIONS:
            where = f"Location.extension[{i}]"
            out.append(error("too-costly", f"{where}: this capacity record has {size} "
                             f"combinations of codings (at most {MAX_CAPACITY_COMBINATIONS}): "
                             "give each of its fields one coding", where))


def _values_per_field(record: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, field in dicts(record.get("extension")):
        concept = field.get("valueCodeableConcept")
        n = sum(1 for _ in dicts(concept.get("coding"))) if isinstance(concept, dict) else 1
        counts[str(field.get("url"))] = counts.get(str(field.get("url")), 0) + max(n, 1)
    return counts


BY_PROFILE: dict[str, Rule] = {
    p.PROFILE_HEALTHCARESERVICE: healthcare_service,
    p.PROFILE_LOCATION: location,
    p.PROFILE_PRACTITIONER: practitioner,
    p.PROFILE_TASK: task,
    p.PROFILE_QUESTIONNAIRE: questionnaire,
}
