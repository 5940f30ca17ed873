"""ROR 0.7.0 canonical URLs (profiles, extensions, identifier systems) and profile selection."""

from __future__ import annotations

from typing import Any, Final

ROR_BASE: Final = "https://interop.esante.gouv.fr/ig/fhir/ror"
SD: Final = f"{ROR_BASE}/StructureDefinition/"
NOS: Final = "https://mos.esante.gouv.fr/NOS/"


def nos_url(name: str) -> str:
    """`TRE_R211-ActiviteOperationnelle` -> its canonical NOS URL (same rule for JDV_ names)."""
    return f"{NOS}{name}/FHIR/{name.replace('_', '-', 1)}"


# --- profiles -------------------------------------------------------------------------------
PROFILE_ORGANIZATION: Final = SD + "ror-organization"
PROFILE_INTERNAL_ORGANIZATION: Final = SD + "ror-internal-organization"
PROFILE_ORGANIZATION_UF: Final = SD + "ror-core-organization-uf"
PROFILE_HEALTHCARESERVICE: Final = SD + "ror-healthcareservice"
PROFILE_LOCATION: Final = SD + "ror-location"
PROFILE_PRACTITIONER: Final = SD + "ror-practitioner"
PROFILE_PRACTITIONERROLE: Final = SD + "ror-practitionerrole"
PROFILE_PERSON: Final = SD + "ror-person"
PROFILE_TASK: Final = SD + "ror-task"
PROFILE_QUESTIONNAIRE: Final = SD + "ror-questionnaire-healthcareservice"
PROFILE_MEASURE: Final = SD + "ror-measure"
PROFILE_MEASUREREPORT: Final = SD + "ror-measurereport"

PROFILE_BY_TYPE: Final[dict[str, str]] = {
    "Organization": PROFILE_ORGANIZATION,
    "HealthcareService": PROFILE_HEALTHCARESERVICE,
    "Location": PROFILE_LOCATION,
    "Practitioner": PROFILE_PRACTITIONER,
    "PractitionerRole": PROFILE_PRACTITIONERROLE,
    "Person": PROFILE_PERSON,
    "Task": PROFILE_TASK,
    "Questionnaire": PROFILE_QUESTIONNAIRE,
    "Measure": PROFILE_MEASURE,
    "MeasureReport": PROFILE_MEASUREREPORT,
}
ORGANIZATION_PROFILES: Final = frozenset(
    {PROFILE_ORGANIZATION, PROFILE_INTERNAL_ORGANIZATION, PROFILE_ORGANIZATION_UF}
)

# --- extensions -------------------------------------------------------------------------------
EXT_CREATION_DATE: Final = SD + "ror-meta-creation-date"
EXT_META_COMMENT: Final = SD + "ror-meta-comment"
EXT_TEMPLATE: Final = SD + "ror-meta-questionnaire-used-as-a-template"
EXT_SENSITIVE_UNIT: Final = SD + "ror-healthcareservice-sensitive-unit"
EXT_PATIENT_TYPE: Final = SD + "ror-healthcareservice-patient-type"
EXT_NO_CONSENT: Final = SD + "ror-healthcareservice-no-consent-habilitation"
EXT_PSY_SECTOR: Final = SD + "ror-healthcareservice-psychiatric-sector"
EXT_HS_CONTACT: Final = SD + "ror-healthcareservice-contact"
EXT_HS_CONTACT_TELECOM: Final = SD + "ror-healthcareservice-contact-telecom"
EXT_CONFIDENTIALITY: Final = SD + "ror-confidentiality-level"
EXT_CONTACT_CONFIDENTIALITY: Final = SD + "ror-contact-confidentiality-level"
EXT_CONTACT_FUNCTION: Final = SD + "ror-contact-function-contact"
EXT_CONTACT_DESCRIPTION: Final = SD + "ror-contact-description"
EXT_TELECOM_CHANNEL: Final = SD + "ror-telecom-communication-channel"
EXT_TELECOM_CONFIDENTIALITY: Final = SD + "ror-telecom-confidentiality-level"
EXT_TELECOM_USAGE: Final = SD + "ror-telecom-usage"
EXT_TERRITORIAL_DIVISION: Final = SD + "ror-territorial-division"
EXT_COMMUNE_COG: Final = SD + "ror-commune-cog"
EXT_COORDINATE_RELIABILITY: Final = SD + "ror-coordinate-reliability"
EXT_EQUIPMENT: Final = SD + "ror-location-equipment"
EXT_EQUIPMENT_LIMIT: Final = SD + "ror-location-equipment-limit"
EXT_RESIDENTIAL_CAPACITY: Final = SD + "ror-location-residential-capacity"
EXT_SUPPORTED_CAPACITY: Final = SD + "ror-location-supported-capacity"
EXT_COMMENT: Final = SD + "ror-comment"
EXT_EXERCISE_MODE: Final = SD + "ror-practitionerrole-unit-exercise-mode"
EXT_TYPE_OF_TIME: Final = SD + "ror-available-time-type-of-time"
EXT_DAYS_OF_WEEK: Final = SD + "ror-available-time-number-days-of-week"
EXT_EFFECTIVE_DATES: Final = SD + "ror-available-time-effective-opening-closing-date"
EXT_ACT_TYPE: Final = SD + "ror-act-type"
EXT_ORG_PRICE: Final = SD + "ror-organization-price"
EXT_ORG_FINANCIAL_HELP: Final = SD + "ror-organization-financial-help-type"
EXT_ORG_ACCESSIBILITY: Final = SD + "ror-organization-accessibility-location"
EXT_ORG_ORSAN: Final = SD + "ror-organization-level-recours-orsan"
EXT_ORG_CLOSING_TYPE: Final = SD + "ror-organization-closing-type"
EXT_SDC_LAUNCH_CONTEXT: Final = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-launchContext"
)

# --- identifier systems and types --------------------------------------------------------------
SYSTEM_OI: Final = "https://oi.esante.gouv.fr"
SYSTEM_IDNATPS: Final = "urn:oid:1.2.250.1.71.4.2.1"
SYSTEM_IDNATST: Final = "urn:oid:1.2.250.1.71.4.2.2"
SYSTEM_FINESS: Final = "https://finess.esante.gouv.fr"
SYSTEMS_SIRENE: Final = frozenset({"http://sirene.fr", "https://sirene.fr"})  # SPEC §8
TRE_R355_OFFER_ID_TYPE: Final = nos_url("TRE_R355-TypeIdentifiantOffre")
OFFER_ID_TYPE_CODE: Final = "35"
TRE_R354_RESOURCE_ID_TYPE: Final = nos_url("TRE_R354-TypeIdentifiantRessourceOperationnelle")
PLACE_ID_TYPE_CODE: Final = "25"
EXTERNAL_SYNC_ID_TYPE_CODE: Final = "26"
TRE_R345_OTHER_ID_TYPE: Final = nos_url("TRE_R345-TypeIdentifiantAutre")
OI_ID_TYPE_CODE: Final = "42"

# --- code systems used by rules ------------------------------------------------------------------
TRE_R30_REGION: Final = nos_url("TRE_R30-RegionOM")
TRE_R211_OPERATIONAL_ACTIVITY: Final = nos_url("TRE_R211-ActiviteOperationnelle")
TRE_R213_CARE_MODE: Final = nos_url("TRE_R213-ModePriseEnCharge")
TRE_R67_STRUCTURE_TYPE: Final = nos_url("TRE_R67-TypeStructure-EJ-EG")
INPUT_TASK_CS: Final = f"{ROR_BASE}/CodeSystem/input-task-ror-codesystem"
V2_0203_UF: Final = "UF"


def region_of(body: dict[str, Any]) -> str | None:
    """The region a resource is tagged with (``meta.tag`` of TRE_R30), if any."""
    for tag in (body.get("meta") or {}).get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == TRE_R30_REGION:
            code = tag.get("code")
            return code if isinstance(code, str) else None
    return None


def profile_for(resource: dict[str, Any]) -> str | None:
    """The ROR profile a resource is checked against (kit README §4.2), None if there is none.

    A known ROR profile in ``meta.profile`` wins; otherwise the resource type decides, with
    internal organisations recognised by an OI identifier, a TypeOrganisationInterne type coding
    or the code ``UF``.
    """
    rtype = resource.get("resourceType")
    claimed = _claimed_profile(resource)
    if claimed is not None:
        return claimed
    if rtype == "Organization":
        return _organization_profile(resource)
    return PROFILE_BY_TYPE.get(rtype) if isinstance(rtype, str) else None


def _claimed_profile(resource: dict[str, Any]) -> str | None:
    meta = resource.get("meta")
    profiles = meta.get("profile") if isinstance(meta, dict) else None
    if not isinstance(profiles, list):
        return None
    known = set(PROFILE_BY_TYPE.values()) | ORGANIZATION_PROFILES
    for url in profiles:
        if isinstance(url, str) and url.split("|", 1)[0] in known:
            return url.split("|", 1)[0]
    return None


def _organization_profile(org: dict[str, Any]) -> str:
    codings = [c for t in _dicts(org.get("type")) for c in _dicts(t.get("coding"))]
    if any(c.get("code") == V2_0203_UF for c in codings):
        return PROFILE_ORGANIZATION_UF
    if any("TypeOrganisationInterne" in str(c.get("system", "")) for c in codings):
        return PROFILE_INTERNAL_ORGANIZATION
    if any(i.get("system") == SYSTEM_OI for i in _dicts(org.get("identifier"))):
        return PROFILE_INTERNAL_ORGANIZATION
    return PROFILE_ORGANIZATION


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
