"""ROR 0.7.0 profile rules as data: extensions, element cardinalities, reference targets.

Sources: SPEC.md §1 and the FSH profiles/extensions of the kit. Where the current-generation FSH
and 0.7.0 disagree, 0.7.0 wins (e.g. HealthcareService.name 1..1, no Practitioner.qualification).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from openror.fhir import profiles as p

MANY: Final = None  # max cardinality "*"


@dataclass(frozen=True, slots=True)
class ExtSpec:
    """An extension slot: URL (relative for sub-extensions), cardinality, and either the
    value[x] suffix it must use ("Boolean", "CodeableConcept") or nested sub-extensions."""

    url: str
    min: int
    max: int | None
    value: str | None = None
    subs: tuple[ExtSpec, ...] = ()

    @property
    def short(self) -> str:
        return self.url.rsplit("/", 1)[-1]


def _ext(url: str, card: str, value: str | None = None, *subs: ExtSpec) -> ExtSpec:
    low, high = card.split("..")
    return ExtSpec(url, int(low), None if high == "*" else int(high), value, subs)


CC = "CodeableConcept"

CREATION_DATE = _ext(p.EXT_CREATION_DATE, "1..1", "DateTime")
TEMPLATE = _ext(p.EXT_TEMPLATE, "0..1", "Canonical")
META_COMMENT = _ext(p.EXT_META_COMMENT, "0..1", "String")

TELECOM_CHANNEL = _ext(p.EXT_TELECOM_CHANNEL, "1..1", CC)
TELECOM_CONFIDENTIALITY = _ext(p.EXT_TELECOM_CONFIDENTIALITY, "1..1", CC)
TELECOM_EXTENSIONS = (TELECOM_CHANNEL, TELECOM_CONFIDENTIALITY,
                      _ext(p.EXT_TELECOM_USAGE, "0..1", "String"))

ORG_CONTACT_EXTENSIONS = (
    _ext(p.EXT_CONTACT_CONFIDENTIALITY, "1..1", CC),
    _ext(p.EXT_CONTACT_FUNCTION, "0..1", CC),
    _ext(p.EXT_CONTACT_DESCRIPTION, "0..1", "String"),
)

AVAILABLE_TIME_EXTENSIONS = (
    _ext(p.EXT_TYPE_OF_TIME, "0..1", CC),
    _ext(p.EXT_EFFECTIVE_DATES, "0..1", "Period"),
    _ext(p.EXT_DAYS_OF_WEEK, "0..1", "Integer"),
)

TERRITORIAL_DIVISION = _ext(
    p.EXT_TERRITORIAL_DIVISION, "0..*", None,
    _ext("typeTerritorialDivision", "1..1", CC), _ext("codeTerritorialDivision", "1..1", CC),
)

HS_CONTACT = _ext(
    p.EXT_HS_CONTACT, "0..*", None,
    _ext("name", "0..1", "HumanName"),
    _ext(p.EXT_CONTACT_FUNCTION, "0..1", CC),
    _ext("purposeContact", "0..1", CC),
    _ext("description", "0..1", "String"),
    _ext(p.EXT_CONFIDENTIALITY, "1..1", CC),
    _ext(p.EXT_HS_CONTACT_TELECOM, "0..*", None, *TELECOM_EXTENSIONS,
         _ext("telecomAddress", "1..1", "String")),
)

PATIENT_TYPE = _ext(
    p.EXT_PATIENT_TYPE, "1..1", None,
    _ext("supportedPatientInfo", "0..*", CC), _ext("ageRange", "1..1", "Range"),
)

HEALTHCARESERVICE_EXTENSIONS = (
    _ext(p.EXT_SENSITIVE_UNIT, "1..1", "Boolean"),
    PATIENT_TYPE,
    CREATION_DATE,
    TEMPLATE,
    _ext(p.EXT_NO_CONSENT, "0..1", "Boolean"),
    _ext(p.EXT_PSY_SECTOR, "0..*", "String"),
    HS_CONTACT,
    TERRITORIAL_DIVISION,
)

SUPPORTED_CAPACITY = _ext(
    p.EXT_SUPPORTED_CAPACITY, "0..*", None,
    _ext("capacityType", "1..1", CC), _ext("capacityStatus", "1..1", CC),
    _ext("temporalityCapacity", "1..1", CC), _ext("nbCapacity", "1..1", "Integer"),
    _ext("capacitySourceType", "1..1", CC), _ext("genderCapacityAvailable", "0..1", CC),
    _ext("capacityUpdateDate", "1..1", "DateTime"), _ext("capacityClosingType", "0..1", CC),
    _ext("additionalBedType", "0..1", CC), _ext("crisisType", "0..1", CC),
    _ext("temporaryAssignement", "1..1", CC), _ext("comment", "0..1", "String"),
)

EQUIPMENT = _ext(
    p.EXT_EQUIPMENT, "0..*", None,
    _ext("equipmentType", "1..1", CC), _ext("nbInService", "0..1", "Integer"),
    _ext(p.EXT_EQUIPMENT_LIMIT, "0..*", None,
         _ext("equipmentFeature", "1..1", CC), _ext("limitValue", "1..1", "Quantity")),
)

LOCATION_EXTENSIONS = (
    _ext(p.EXT_COMMUNE_COG, "1..1", CC),
    CREATION_DATE,
    TEMPLATE,
    EQUIPMENT,
    _ext(p.EXT_RESIDENTIAL_CAPACITY, "0..*", None,
         _ext("residentialType", "1..1", CC), _ext("residentialNumber", "0..1", "Integer")),
    SUPPORTED_CAPACITY,
    _ext(p.EXT_COMMENT, "0..1", "String"),
)

ORGANIZATION_PERIOD = _ext("http://hl7.org/fhir/StructureDefinition/organization-period",
                           "0..1", "Period")
ORG_PRICE = _ext(
    p.EXT_ORG_PRICE, "0..*", None,
    _ext("priceType", "1..1", CC), _ext("priceUnit", "1..1", CC),
    _ext("amount", "1..1", "Money"), _ext("startDate", "0..1", "DateTime"),
    _ext("under60", "0..1", "Boolean"), _ext("deliveryIncluded", "0..*", CC),
    _ext("othersDeliveryIncluded", "0..*", "String"), _ext("residentialType", "0..1", CC),
    _ext("specialPrice", "0..1", CC), _ext("welcomeType", "0..1", CC),
    _ext("mealDeliveryName", "0..1", "String"), _ext("dependencyLevel", "0..1", CC),
    _ext("humanHelpPriceName", "0..1", "String"), _ext("managementType", "0..1", CC),
    _ext("otherAdditionalServiceName", "0..1", "String"),
    _ext("additionalServiceName", "0..1", CC),
)

ORGANIZATION_EXTENSIONS = (
    CREATION_DATE, TEMPLATE, META_COMMENT, ORGANIZATION_PERIOD, ORG_PRICE, TERRITORIAL_DIVISION,
    _ext(p.EXT_ORG_FINANCIAL_HELP, "0..*", CC),
    _ext(p.SD + "ror-organization-accomodation-family", "0..1", "Boolean"),
    _ext(p.SD + "ror-organization-nb-permanent-social-help-place", "0..1", "Integer"),
    _ext(p.SD + "ror-organization-nb-temporary-social-help-place", "0..1", "Integer"),
    _ext(p.EXT_ORG_ACCESSIBILITY, "0..1", CC),
    _ext(p.EXT_ORG_ORSAN, "0..1", CC),
    _ext(p.SD + "ror-organization-drop-zone", "0..1", "Boolean"),
    _ext(p.SD + "ror-organization-creation-date", "0..1", "Date"),
    _ext(p.EXT_ORG_CLOSING_TYPE, "0..1", CC),
    _ext(p.SD + "ror-organization-comment", "0..1", "String"),
)

INTERNAL_ORGANIZATION_EXTENSIONS = (
    CREATION_DATE, TEMPLATE, META_COMMENT, ORGANIZATION_PERIOD,
    _ext(p.SD + "ror-organization-reopening-date", "0..1", "Date"),
    _ext(p.EXT_ORG_CLOSING_TYPE, "0..1", CC),
)

LAUNCH_CONTEXT = _ext(
    p.EXT_SDC_LAUNCH_CONTEXT, "1..1", None,
    _ext("name", "1..1", "Coding"), _ext("type", "1..*", "Code"),
    _ext("description", "0..1", "String"),
)

ROOT_EXTENSIONS: Final[dict[str, tuple[ExtSpec, ...]]] = {
    p.PROFILE_HEALTHCARESERVICE: HEALTHCARESERVICE_EXTENSIONS,
    p.PROFILE_LOCATION: LOCATION_EXTENSIONS,
    p.PROFILE_ORGANIZATION: ORGANIZATION_EXTENSIONS,
    p.PROFILE_INTERNAL_ORGANIZATION: INTERNAL_ORGANIZATION_EXTENSIONS,
    p.PROFILE_ORGANIZATION_UF: INTERNAL_ORGANIZATION_EXTENSIONS,
    p.PROFILE_PRACTITIONER: (CREATION_DATE,),
    p.PROFILE_PERSON: (CREATION_DATE,),
    p.PROFILE_PRACTITIONERROLE: (
        _ext(p.EXT_EXERCISE_MODE, "1..1", CC), CREATION_DATE, META_COMMENT,
    ),
    p.PROFILE_QUESTIONNAIRE: (LAUNCH_CONTEXT,),
}

# Element cardinalities the profiles tighten: (dotted path from the root, min, max).
_LAST_UPDATED = ("meta.lastUpdated", 1, 1)
ELEMENT_CARDINALITIES: Final[dict[str, tuple[tuple[str, int, int | None], ...]]] = {
    p.PROFILE_HEALTHCARESERVICE: (
        _LAST_UPDATED, ("identifier", 1, 1), ("providedBy", 1, 1), ("name", 1, 1),
        ("type", 1, 1), ("category", 0, 1), ("specialty", 1, MANY),
        ("characteristic", 1, MANY), ("notAvailable", 0, 1),
    ),
    p.PROFILE_LOCATION: (_LAST_UPDATED, ("type", 0, 1)),
    p.PROFILE_ORGANIZATION: (_LAST_UPDATED, ("address", 0, 1), ("alias", 0, 1)),
    p.PROFILE_INTERNAL_ORGANIZATION: (_LAST_UPDATED,),
    p.PROFILE_ORGANIZATION_UF: (_LAST_UPDATED,),
    p.PROFILE_PRACTITIONER: (_LAST_UPDATED,),
    p.PROFILE_PERSON: (_LAST_UPDATED,),
    p.PROFILE_PRACTITIONERROLE: (
        _LAST_UPDATED, ("practitioner", 1, 1), ("healthcareService", 1, 1),
        ("telecom", 0, 1), ("availableTime", 0, 1),
    ),
    p.PROFILE_TASK: (
        ("identifier", 0, 1), ("businessStatus", 1, 1), ("code", 1, 1), ("reasonCode", 1, 1),
        ("focus", 1, 1), ("authoredOn", 1, 1), ("lastModified", 1, 1),
    ),
    p.PROFILE_QUESTIONNAIRE: (
        ("identifier", 0, 1), ("name", 1, 1), ("title", 1, 1), ("subjectType", 1, 1),
        ("useContext", 1, MANY), ("code", 0, 0),
    ),
    p.PROFILE_MEASURE: (
        ("identifier", 1, 1), ("purpose", 1, 1), ("topic", 1, 1), ("type", 1, 1),
        ("group.code", 1, 1), ("group.description", 1, 1),
    ),
    p.PROFILE_MEASUREREPORT: (
        ("identifier", 1, 1), ("date", 1, 1), ("group.code", 1, 1),
        ("group.measureScore", 1, 1),
    ),
}

_ORGS = ("Organization",)
_ACTORS = ("Organization", "Practitioner", "PractitionerRole")
REFERENCE_TARGETS: Final[dict[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    p.PROFILE_HEALTHCARESERVICE: (
        ("providedBy", _ORGS), ("location", ("Location",)), ("coverageArea", ("Location",)),
    ),
    p.PROFILE_LOCATION: (("managingOrganization", _ORGS), ("partOf", ("Location",))),
    p.PROFILE_ORGANIZATION: (("partOf", _ORGS),),
    p.PROFILE_INTERNAL_ORGANIZATION: (("partOf", _ORGS),),
    p.PROFILE_ORGANIZATION_UF: (("partOf", _ORGS),),
    p.PROFILE_PRACTITIONERROLE: (
        ("practitioner", ("Practitioner",)), ("healthcareService", ("HealthcareService",)),
        ("location", ("Location",)), ("organization", _ORGS),
    ),
    p.PROFILE_TASK: (
        ("partOf", ("Task",)), ("requester", _ACTORS),
        ("owner", (*_ACTORS, "HealthcareService")), ("location", ("Location",)),
        ("restriction.recipient", _ACTORS),
    ),
    p.PROFILE_MEASUREREPORT: (
        ("subject", ("Practitioner", "PractitionerRole", "Location")),
        ("reporter", ("Practitioner", "PractitionerRole", "Location", "Organization")),
    ),
}

# Where the telecom pattern (value + channel + confidentiality) applies, per profile.
TELECOM_PROFILES: Final = frozenset({
    p.PROFILE_ORGANIZATION, p.PROFILE_INTERNAL_ORGANIZATION, p.PROFILE_ORGANIZATION_UF,
    p.PROFILE_HEALTHCARESERVICE, p.PROFILE_LOCATION, p.PROFILE_PRACTITIONER,
    p.PROFILE_PRACTITIONERROLE,
})
AVAILABLE_TIME_PROFILES: Final = frozenset(
    {p.PROFILE_HEALTHCARESERVICE, p.PROFILE_PRACTITIONERROLE}
)

# Task.input slices: type code -> (min, max, value[x] suffix or None for "any type").
TASK_INPUTS: Final[dict[str, tuple[int, int | None, str | None]]] = {
    "ruleErrorId": (0, 1, "String"),
    "errorValue": (0, MANY, None),
    "proposedValue": (0, MANY, None),
    "pathElementError": (0, 1, "Expression"),
    "systemRequester": (1, 1, "String"),
    "identifierRequester": (0, 1, "Identifier"),
}
QUESTIONNAIRE_STATUSES: Final = frozenset({"draft", "active", "retired"})
