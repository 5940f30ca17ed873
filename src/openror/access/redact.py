"""Remove from a resource what a caller may not see (``policy.FieldRules``).

Only optional elements are removed (contacts, telecoms, characteristic slices other than the
required care mode, equipment, capacity records, crisis extensions, a practitioner's personal
data), so a redacted resource stays valid against its ROR profile. A telecom or contact
without a confidentiality level counts as very restricted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openror.access.policy import (
    INSTALLED,
    PUBLIC_CHARACTERISTICS,
    SUPPLEMENTARY,
    Capacities,
    FieldRules,
)
from openror.fhir.profiles import (
    EXT_CONFIDENTIALITY,
    EXT_CONTACT_CONFIDENTIALITY,
    EXT_EQUIPMENT,
    EXT_HS_CONTACT,
    EXT_HS_CONTACT_TELECOM,
    EXT_ORG_ORSAN,
    EXT_SUPPORTED_CAPACITY,
    EXT_TELECOM_CONFIDENTIALITY,
    SD,
)

Body = dict[str, Any]
EXT_DROP_ZONE = SD + "ror-organization-drop-zone"
PERSONAL_DATA = ("telecom", "address", "gender", "birthDate", "photo")
_MOST_RESTRICTED = 3


def redact(rtype: str, body: Body, rules: FieldRules) -> Body:
    """A copy of ``body`` without what ``rules`` withhold (``body`` itself is not changed)."""
    out = dict(body)
    if "telecom" in out:
        _keep(out, "telecom", lambda t: _level(t, EXT_TELECOM_CONFIDENTIALITY) <= rules
              .max_confidentiality)
    step = _BY_TYPE.get(rtype)
    if step is not None:
        step(out, rules)
    return out


def may_withhold(rtype: str, content: bytes, rules: FieldRules) -> bool:
    """False when the stored bytes certainly hold nothing ``rules`` withhold, so that most
    resources are served without being parsed; True means "parse and see"."""
    markers: list[bytes] = []
    if rules.max_confidentiality < _MOST_RESTRICTED:
        markers += [b'"telecom"', b"contact"]
    if not rules.acts and rtype == "HealthcareService":
        markers.append(b'"characteristic"')
    if not rules.equipment:
        markers.append(EXT_EQUIPMENT.encode())
    if rules.capacities is not Capacities.ALL:
        markers.append(EXT_SUPPORTED_CAPACITY.encode())
    if not rules.crisis:
        markers += [EXT_ORG_ORSAN.encode(), EXT_DROP_ZONE.encode()]
    if not rules.personal_data and rtype == "Practitioner":
        markers += [f'"{name}"'.encode() for name in PERSONAL_DATA]
    return any(marker in content for marker in markers)


def _organization(out: Body, rules: FieldRules) -> None:
    if "contact" in out:
        contacts = [_telecoms_of(c, rules) for c in out["contact"] if isinstance(c, dict)
                    and _level(c, EXT_CONTACT_CONFIDENTIALITY) <= rules.max_confidentiality]
        _set(out, "contact", contacts)
    if not rules.crisis:
        _drop_extensions(out, {EXT_ORG_ORSAN, EXT_DROP_ZONE})


def _telecoms_of(contact: Body, rules: FieldRules) -> Body:
    kept = dict(contact)
    if "telecom" in kept:
        _keep(kept, "telecom", lambda t: _level(t, EXT_TELECOM_CONFIDENTIALITY)
              <= rules.max_confidentiality)
    return kept


def _healthcare_service(out: Body, rules: FieldRules) -> None:
    if "extension" in out:
        _set(out, "extension", [_contact_telecoms(e, rules) for e in out["extension"]
                                if not _is_contact(e) or _level(e, EXT_CONFIDENTIALITY)
                                <= rules.max_confidentiality])
    if not rules.acts and "characteristic" in out:
        _keep(out, "characteristic", public_characteristic)


def _is_contact(ext: Any) -> bool:
    return isinstance(ext, dict) and ext.get("url") == EXT_HS_CONTACT


def _contact_telecoms(ext: Any, rules: FieldRules) -> Any:
    """An offer's contact with only the telecoms the rules let through."""
    if not _is_contact(ext):
        return ext
    return {**ext, "extension": [
        e for e in ext.get("extension") or [] if not isinstance(e, dict)
        or e.get("url") != EXT_HS_CONTACT_TELECOM
        or _level(e, EXT_TELECOM_CONFIDENTIALITY) <= rules.max_confidentiality]}


def public_characteristic(concept: Any) -> bool:
    """A characteristic every profile sees (care mode and the like, not an act)."""
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return isinstance(codings, list) and bool(codings) and all(
        isinstance(c, dict) and c.get("system") in PUBLIC_CHARACTERISTICS for c in codings)


def _location(out: Body, rules: FieldRules) -> None:
    if not rules.equipment:
        _drop_extensions(out, {EXT_EQUIPMENT})
    if rules.capacities is Capacities.ALL or "extension" not in out:
        return
    _keep(out, "extension", lambda e: not isinstance(e, dict) or e.get("url")
          != EXT_SUPPORTED_CAPACITY or _capacity_shown(e, rules.capacities))


def _capacity_shown(record: Body, shown: Capacities) -> bool:
    status = _sub_code(record, "capacityStatus")
    if shown is Capacities.INSTALLED:
        return status == INSTALLED
    return shown is Capacities.NO_SUPPLEMENTARY and status not in (SUPPLEMENTARY, None)


def _practitioner(out: Body, rules: FieldRules) -> None:
    if not rules.personal_data:
        for name in PERSONAL_DATA:
            out.pop(name, None)


_BY_TYPE: dict[str, Callable[[Body, FieldRules], None]] = {
    "Organization": _organization,
    "HealthcareService": _healthcare_service,
    "Location": _location,
    "Practitioner": _practitioner,
}


# -- helpers ---------------------------------------------------------------------------------

def _level(element: Any, url: str) -> int:
    """The confidentiality level an element carries in the extension ``url`` (3 if none)."""
    code = _sub_code(element, url)
    return int(code) if code in ("1", "2", "3") else _MOST_RESTRICTED


def _sub_code(element: Any, url: str) -> str | None:
    for ext in element.get("extension") or [] if isinstance(element, dict) else []:
        if isinstance(ext, dict) and ext.get("url") == url:
            for coding in (ext.get("valueCodeableConcept") or {}).get("coding") or []:
                if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                    return str(coding["code"])
    return None


def _keep(out: Body, name: str, wanted: Callable[[Any], bool]) -> None:
    _set(out, name, [item for item in out[name] if wanted(item)])


def _set(out: Body, name: str, items: list[Any]) -> None:
    """FHIR has no empty arrays: an emptied list goes."""
    if items:
        out[name] = items
    else:
        out.pop(name, None)


def _drop_extensions(out: Body, urls: set[str]) -> None:
    if "extension" in out:
        _keep(out, "extension", lambda e: not isinstance(e, dict) or e.get("url") not in urls)
