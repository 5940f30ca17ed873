"""The search parameters the server supports: name, type, what they select, how they correlate.

Expressions are FHIRPath, as in the ROR 0.7.0 SearchParameter resources, corrected where the
published ones are wrong (docs/api/search.md lists each correction): codes are matched on
``coding`` (not ``value.as(code)``), the equipment limit is searched inside the equipment,
``special-price`` and ``price-validity-start-date`` read the price sub-extensions they name.

Grouped parameters (``group``) are evaluated per element of ``group_root``: several of them in
one query must hold on the same capacity record, equipment, housing type, price or patient
type. Their ``expression`` is relative to that element, or to each element of ``subgroup``
inside it (the limits nested in an equipment: a feature and its limit value correlate on the
same limit, and both with the equipment type).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from openror.fhir.profiles import SD as ROR_SD

ROR_SP = "https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/ror-sp-"
R4_SP = "http://hl7.org/fhir/SearchParameter/"

TYPES = ("token", "string", "date", "number", "quantity", "reference", "special", "uri")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str
    expression: str
    doc: str
    definition: str = ""
    group: str = ""
    group_root: str = ""
    targets: tuple[str, ...] = ()
    subgroup: str = ""
    base: str = ""  # set by the registry

    @property
    def full_expression(self) -> str:
        """The expression from the resource, for evaluators that do not group."""
        if not self.group:
            return self.expression
        inner = f"{self.subgroup}.{self.expression}" if self.subgroup else self.expression
        return f"{self.group_root}.{inner}"


def _ext(name: str) -> str:
    return f"extension.where(url = '{ROR_SD}{name}')"


def _sub(name: str) -> str:
    return f"extension.where(url = '{name}').value"


CAPACITY = _ext("ror-location-supported-capacity")
EQUIPMENT = _ext("ror-location-equipment")
LIMIT = _ext("ror-location-equipment-limit")
RESIDENTIAL = _ext("ror-location-residential-capacity")
PRICE = _ext("ror-organization-price")
PATIENT_TYPE = _ext("ror-healthcareservice-patient-type")

_COMMON = (
    ("_id", "token", "id", "Logical id of the resource", R4_SP + "Resource-id"),
    ("_lastUpdated", "date", "meta.lastUpdated", "When the resource last changed",
     R4_SP + "Resource-lastUpdated"),
    ("_tag", "token", "meta.tag", "Tags, among them the region (TRE_R30)",
     R4_SP + "Resource-tag"),
    ("_profile", "uri", "meta.profile", "Profiles the resource claims", R4_SP + "Resource-profile"),
)


def _common(base: str) -> list[SearchParam]:
    return [SearchParam(n, t, e, d, u) for n, t, e, d, u in _COMMON]


def _grouped(base: str, group: str, root: str, rows: list[tuple[str, str, str, str]]
             ) -> list[SearchParam]:
    return [SearchParam(name, ptype, expr, doc, ROR_SP + name, group, f"{base}.{root}")
            for name, ptype, expr, doc in rows]


def _capacity() -> list[SearchParam]:
    return _grouped("Location", "capacity", CAPACITY, [
        ("capacity-status", "token", _sub("capacityStatus"), "Capacity status (TRE_R330)"),
        ("capacity-type", "token", _sub("capacityType"), "Capacity nature (TRE_R329)"),
        ("temporality-capacity", "token", _sub("temporalityCapacity"),
         "Capacity temporality (TRE_R331)"),
        ("gender-capacity-available", "token", _sub("genderCapacityAvailable"),
         "Gender of the beds (TRE_R332)"),
        ("capacity-closing-type", "token", _sub("capacityClosingType"),
         "Why closed beds are closed (TRE_R333)"),
        ("additional-bed-type", "token", _sub("additionalBedType"),
         "Type of supplementary beds (TRE_R334)"),
        ("crisis-type", "token", _sub("crisisType"), "Crisis the capacity serves (TRE_R336)"),
        ("temporary-assignement", "token", _sub("temporaryAssignement"),
         "Temporary assignment (TRE_R337)"),
        ("nb-capacity", "number", _sub("nbCapacity"), "Count of beds or places"),
        ("capacity-update-date", "date", _sub("capacityUpdateDate"),
         "When the capacity figure was last updated"),
    ])


def _equipment() -> list[SearchParam]:
    return _grouped("Location", "equipment", EQUIPMENT, [
        ("equipment-type", "token", _sub("equipmentType"), "Specific equipment (TRE_R212)"),
    ]) + [replace(p, subgroup=LIMIT) for p in _grouped("Location", "equipment", EQUIPMENT, [
        ("equipment-feature", "token", _sub("equipmentFeature"),
         "Limited feature of the equipment (TRE_R340)"),
        ("limit-value", "quantity", _sub("limitValue"),
         "Limit of that feature, e.g. ge200|http://unitsofmeasure.org|kg"),
    ])]


def _location() -> list[SearchParam]:
    loc = "Location"
    return [
        *_common(loc),
        SearchParam("identifier", "token", "identifier", "Place identifiers", R4_SP +
                    "Location-identifier"),
        SearchParam("name", "string", "name | alias", "Name or alias", R4_SP + "Location-name"),
        SearchParam("type", "token", "type", "Function of the place (TRE_R343)",
                    R4_SP + "Location-type"),
        SearchParam("status", "token", "status", "active | suspended | inactive",
                    R4_SP + "Location-status"),
        SearchParam("operational-status", "token", "operationalStatus", "Operational status",
                    R4_SP + "Location-operational-status"),
        SearchParam("address", "string", "address", "Any part of the address",
                    R4_SP + "Location-address"),
        SearchParam("address-city", "string", "address.city", "City",
                    R4_SP + "Location-address-city"),
        SearchParam("address-postalcode", "string", "address.postalCode",
                    "Postal code (prefix: 71 = département 71)",
                    R4_SP + "Location-address-postalcode"),
        SearchParam("commune-cog", "token", _ext("ror-commune-cog") + ".value",
                    "INSEE code of the commune (TRE_R13)", ROR_SP + "location-commune-cog"),
        SearchParam("departement", "token", "departement", "Département of the commune "
                    "(derived from commune-cog)"),
        SearchParam("region", "token", "region", "Region of the commune (TRE_R30, derived "
                    "from commune-cog)"),
        SearchParam("near", "special", "position", "lat|lon|distance|unit: great-circle "
                    "distance, nearest first", R4_SP + "Location-near"),
        SearchParam("near-insee-code", "special", "position", "INSEE|distance|unit: distance "
                    "from the commune's coordinates", ROR_SP + "location-near-insee-code"),
        SearchParam("organization", "reference", "managingOrganization", "Managing organization",
                    R4_SP + "Location-organization", targets=("Organization",)),
        SearchParam("partof", "reference", "partOf", "Enclosing place",
                    R4_SP + "Location-partof", targets=("Location",)),
        *_capacity(),
        *_equipment(),
        *_grouped(loc, "residential", RESIDENTIAL, [
            ("residential-type", "token", _sub("residentialType"), "Housing type (TRE_R242)"),
            ("residential-number", "number", _sub("residentialNumber"), "Count of housings"),
        ]),
    ]


def _healthcare_service() -> list[SearchParam]:
    hs = "HealthcareService"
    return [
        *_common(hs),
        SearchParam("identifier", "token", "identifier", "Functional identifier of the offer",
                    R4_SP + "HealthcareService-identifier"),
        SearchParam("name", "string", "name", "Name of the offer",
                    R4_SP + "HealthcareService-name"),
        SearchParam("active", "token", "active", "Whether the offer is active",
                    R4_SP + "HealthcareService-active"),
        SearchParam("service-category", "token", "category", "Type of offer (TRE_R244)",
                    R4_SP + "HealthcareService-service-category"),
        SearchParam("service-type", "token", "type", "Field of activity (TRE_R227)",
                    R4_SP + "HealthcareService-service-type"),
        SearchParam("specialty", "token", "specialty", "Operational activity (TRE_R211)",
                    R4_SP + "HealthcareService-specialty"),
        SearchParam("characteristic", "token", "characteristic", "Every characteristic: care "
                    "mode, modality, specialisation, act, temporality… (by system)",
                    R4_SP + "HealthcareService-characteristic"),
        SearchParam("location", "reference", "location", "Places of the offer",
                    R4_SP + "HealthcareService-location", targets=("Location",)),
        SearchParam("organization", "reference", "providedBy", "Organization providing it",
                    R4_SP + "HealthcareService-organization", targets=("Organization",)),
        *_grouped(hs, "patient", PATIENT_TYPE, [
            ("patient-type", "token", _sub("supportedPatientInfo"), "Public (TRE_R239)"),
            ("age-range-low", "quantity", _sub("ageRange") + ".low",
             "Lowest age taken care of"),
            ("age-range-high", "quantity", _sub("ageRange") + ".high",
             "Highest age taken care of"),
        ]),
        SearchParam("intervention-zone", "token", _ext("ror-territorial-division") + "."
                    + _sub("codeTerritorialDivision"), "Commune, département or region served",
                    ROR_SP + "healthcareservice-intervention-zone"),
        SearchParam("psychiatric-sector", "string", _ext("ror-healthcareservice-psychiatric-"
                    "sector") + ".value", "Psychiatric sector",
                    ROR_SP + "healthcareservice-psychiatric-sector"),
        SearchParam("notavailable-closing-reopeningdate", "date",
                    "notAvailable.where(id = 'closingReopeningDate').during",
                    "Closing and planned reopening period",
                    ROR_SP + "healthcareservice-notavailable-closing-reopeningdate"),
    ]


def _price() -> list[SearchParam]:
    return _grouped("Organization", "price", PRICE, [
        ("price-type", "token", _sub("priceType"), "Type of price (TRE_R246)"),
        ("price-unit", "token", _sub("priceUnit"), "Unit of the price"),
        ("price-amount-value", "number", _sub("amount") + ".value", "Amount of the price"),
        ("price-validity-start-date", "date", _sub("startDate"), "Start of validity"),
        ("price-dependency-level", "token", _sub("dependencyLevel"), "Dependency level"),
        ("price-residential-type", "token", _sub("residentialType"), "Housing type"),
        ("price-welcome-type", "token", _sub("welcomeType"), "Welcome temporality"),
        ("special-price", "token", _sub("specialPrice"), "Price condition"),
    ])


def _organization() -> list[SearchParam]:
    org = "Organization"
    return [
        *_common(org),
        SearchParam("identifier", "token", "identifier", "FINESS, SIRET, idNatStruct…",
                    R4_SP + "Organization-identifier"),
        SearchParam("name", "string", "name | alias | " + _ext(
            "ror-organization-additional-name") + ".value", "Name, alias or additional name",
            R4_SP + "Organization-name"),
        SearchParam("active", "token", "active", "Whether it is active",
                    R4_SP + "Organization-active"),
        SearchParam("type", "token", "type", "Category (TRE_R66) and other types",
                    R4_SP + "Organization-type"),
        SearchParam("partof", "reference", "partOf", "Parent organization",
                    R4_SP + "Organization-partof", targets=("Organization",)),
        SearchParam("address-postalcode", "string", "address.postalCode", "Postal code",
                    R4_SP + "Organization-address-postalcode"),
        SearchParam("address-city", "string", "address.city", "City",
                    R4_SP + "Organization-address-city"),
        SearchParam("closing-type", "token", _ext("ror-organization-closing-type") + ".value",
                    "Type of closure", ROR_SP + "organization-closing-type"),
        SearchParam("drop-zone", "token", _ext("ror-organization-drop-zone") + ".value",
                    "Helicopter drop zone (true/false)", ROR_SP + "organization-drop-zone"),
        SearchParam("period-end", "date", "extension.where(url = 'http://hl7.org/fhir/"
                    "StructureDefinition/organization-period').value.end", "End of activity",
                    ROR_SP + "organization-period-end"),
        *_price(),
    ]


def _practitioner() -> list[SearchParam]:
    return [
        *_common("Practitioner"),
        SearchParam("identifier", "token", "identifier", "National professional id",
                    R4_SP + "Practitioner-identifier"),
        SearchParam("name", "string", "name", "Any part of the name",
                    R4_SP + "Practitioner-name"),
        SearchParam("family", "string", "name.family", "Family name",
                    R4_SP + "Practitioner-family"),
        SearchParam("given", "string", "name.given", "Given name",
                    R4_SP + "Practitioner-given"),
    ]


def _practitioner_role() -> list[SearchParam]:
    pr = "PractitionerRole"
    return [
        *_common(pr),
        SearchParam("identifier", "token", "identifier", "Identifier of the situation",
                    R4_SP + "PractitionerRole-identifier"),
        SearchParam("role", "token", "code", "Profession and role",
                    R4_SP + "PractitionerRole-role"),
        SearchParam("specialty", "token", "specialty", "Specialty",
                    R4_SP + "PractitionerRole-specialty"),
        SearchParam("practitioner", "reference", "practitioner", "The professional",
                    R4_SP + "PractitionerRole-practitioner", targets=("Practitioner",)),
        SearchParam("organization", "reference", "organization", "Where they practise",
                    R4_SP + "PractitionerRole-organization", targets=("Organization",)),
        SearchParam("location", "reference", "location", "Places",
                    R4_SP + "PractitionerRole-location", targets=("Location",)),
        SearchParam("service", "reference", "healthcareService", "Offers they take part in",
                    R4_SP + "PractitionerRole-service", targets=("HealthcareService",)),
    ]


def _task() -> list[SearchParam]:
    return [
        *_common("Task"),
        SearchParam("identifier", "token", "identifier", "Identifier of the anomaly",
                    R4_SP + "Task-identifier"),
        SearchParam("status", "token", "status", "Task status", R4_SP + "Task-status"),
        SearchParam("business-status", "token", "businessStatus", "Anomaly workflow status",
                    R4_SP + "Task-business-status"),
        SearchParam("code", "token", "code", "Kind of task", R4_SP + "Task-code"),
        SearchParam("authored-on", "date", "authoredOn", "Creation date",
                    R4_SP + "Task-authored-on"),
        SearchParam("modified", "date", "lastModified", "Last modification",
                    R4_SP + "Task-modified"),
        SearchParam("focus", "reference", "focus", "The resource in anomaly",
                    R4_SP + "Task-focus", targets=("HealthcareService", "Organization",
                                                   "Location", "Practitioner",
                                                   "PractitionerRole")),
        SearchParam("owner", "reference", "owner", "Who handles it", R4_SP + "Task-owner",
                    targets=("Organization", "Practitioner", "PractitionerRole")),
        SearchParam("requester", "reference", "requester", "Who raised it",
                    R4_SP + "Task-requester", targets=("Organization", "Practitioner",
                                                       "PractitionerRole")),
        SearchParam("rule", "token", "input.where(type.coding.code = 'ruleErrorId').value",
                    "The quality rule that raised it (input ruleErrorId; OpenROR)"),
    ]


def _questionnaire() -> list[SearchParam]:
    q = "Questionnaire"
    return [
        *_common(q),
        SearchParam("identifier", "token", "identifier", "Identifier", R4_SP +
                    "Questionnaire-identifier"),
        SearchParam("url", "uri", "url", "Canonical URL", R4_SP + "Questionnaire-url"),
        SearchParam("status", "token", "status", "Status", R4_SP + "Questionnaire-status"),
        SearchParam("name", "string", "name", "Computer name", R4_SP + "Questionnaire-name"),
        SearchParam("title", "string", "title", "Title", R4_SP + "Questionnaire-title"),
        SearchParam("version", "token", "version", "Business version",
                    R4_SP + "Questionnaire-version"),
        SearchParam("date", "date", "date", "Publication date", R4_SP + "Questionnaire-date"),
        SearchParam("context", "token", "useContext.value", "Use context: any value of "
                    "useContext (EG category, profession, specialty, field, place function)",
                    R4_SP + "Questionnaire-context"),
        SearchParam("context-type", "token", "useContext.code", "Kind of use context "
                    "(TRE_R67 EG, TRE_R288 P01, TRE_R04 S, champAct, fonctionLieu)",
                    R4_SP + "Questionnaire-context-type"),
        SearchParam("category-eg", "token", "useContext.where(code.code = 'EG').value",
                    "EG category the template is for (useContext catEG, JDV_J55)",
                    ROR_SP + "questionnaire-category-eg"),
        SearchParam("description", "string", "description", "Description",
                    R4_SP + "Questionnaire-description"),
        SearchParam("publisher", "string", "publisher", "Publisher",
                    R4_SP + "Questionnaire-publisher"),
        SearchParam("subject-type", "token", "subjectType", "Resource type the template "
                    "describes", R4_SP + "Questionnaire-subject-type"),
    ]


def _measure() -> list[SearchParam]:
    m = "Measure"
    return [
        *_common(m),
        SearchParam("identifier", "token", "identifier", "Identifier (the quality rule's id)",
                    R4_SP + "Measure-identifier"),
        SearchParam("url", "uri", "url", "Canonical URL", R4_SP + "Measure-url"),
        SearchParam("status", "token", "status", "Status", R4_SP + "Measure-status"),
        SearchParam("topic", "token", "topic", "Topic (the ROR quality theme, TRE_R350)",
                    R4_SP + "Measure-topic"),
        SearchParam("title", "string", "title", "Title", R4_SP + "Measure-title"),
        SearchParam("date", "date", "date", "Date the definition last changed",
                    R4_SP + "Measure-date"),
    ]


def _measure_report() -> list[SearchParam]:
    r = "MeasureReport"
    return [
        *_common(r),
        SearchParam("identifier", "token", "identifier", "Identifier (rule|region|week)",
                    R4_SP + "MeasureReport-identifier"),
        SearchParam("measure", "reference", "measure", "The measure reported (its canonical "
                    "URL, or Measure/id)", R4_SP + "MeasureReport-measure", targets=("Measure",)),
        SearchParam("date", "date", "date", "When the figures were measured",
                    R4_SP + "MeasureReport-date"),
        SearchParam("period", "date", "period", "The period reported (a week)",
                    R4_SP + "MeasureReport-period"),
        SearchParam("status", "token", "status", "Status", R4_SP + "MeasureReport-status"),
    ]


def _build() -> dict[str, dict[str, SearchParam]]:
    lists = {"Location": _location(), "HealthcareService": _healthcare_service(),
             "Organization": _organization(), "Practitioner": _practitioner(),
             "PractitionerRole": _practitioner_role(), "Task": _task(),
             "Questionnaire": _questionnaire(), "Measure": _measure(),
             "MeasureReport": _measure_report()}
    return {base: {p.name: replace(p, base=base) for p in params}
            for base, params in lists.items()}


#: resource type -> parameter name -> parameter
PARAMS: dict[str, dict[str, SearchParam]] = _build()

#: parameters whose values are computed, not read from the resource (``departement``…)
DERIVED = frozenset({"departement", "region"})


def param(rtype: str, name: str) -> SearchParam | None:
    return PARAMS.get(rtype, {}).get(name)
