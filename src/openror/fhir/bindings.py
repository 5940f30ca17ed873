"""Terminology checks of the Codings found by the structural walk.

A Coding is checked against the JDV value set bound to where it sits (binding tables below), or
else against its code system when the terminology knows that system. Unknown codes are errors,
retired codes warnings; a value set or system the terminology does not bundle is skipped
silently (the terminology answers "unknown-valueset" / "unknown-system").
"""

from __future__ import annotations

import re
from typing import Any, Final

from openror.errors import Issue, error, warning
from openror.fhir import profiles as p
from openror.fhir.structure import CodingSite
from openror.fhir.termport import TerminologyLike

_INDEX: Final = re.compile(r"\[\d+\]")
_TRE = p.nos_url

# Coding inside an extension: "<url>" or "<url>#<sub-extension>" -> value set.
_CAPACITY = p.EXT_SUPPORTED_CAPACITY + "#"
_PRICE = p.EXT_ORG_PRICE + "#"
EXTENSION_BINDINGS: Final[dict[str, str]] = {
    p.EXT_TELECOM_CHANNEL: "JDV_J225",
    p.EXT_TELECOM_CONFIDENTIALITY: "JDV_J222",
    p.EXT_CONFIDENTIALITY: "JDV_J222",
    p.EXT_CONTACT_CONFIDENTIALITY: "JDV_J222",
    p.EXT_CONTACT_FUNCTION: "JDV_J220",
    p.EXT_HS_CONTACT + "#purposeContact": "JDV_J221",
    p.EXT_COMMUNE_COG: "JDV_J124",
    p.EXT_EXERCISE_MODE: "JDV_J217",
    p.EXT_TYPE_OF_TIME: "JDV_J41",
    p.EXT_TERRITORIAL_DIVISION + "#typeTerritorialDivision": "JDV_J223",
    p.EXT_PATIENT_TYPE + "#supportedPatientInfo": "JDV_J29",
    p.EXT_EQUIPMENT + "#equipmentType": "JDV_J18",
    p.EXT_EQUIPMENT_LIMIT + "#equipmentFeature": "JDV_J228",
    p.EXT_RESIDENTIAL_CAPACITY + "#residentialType": "JDV_J32",
    p.EXT_ORG_FINANCIAL_HELP: "JDV_J31",
    p.EXT_ORG_ACCESSIBILITY: "JDV_J50",
    p.EXT_ORG_ORSAN: "JDV_J204",
    p.EXT_ORG_CLOSING_TYPE: "JDV_J201",
    _CAPACITY + "capacityType": "JDV_J187",
    _CAPACITY + "capacityStatus": "JDV_J188",
    _CAPACITY + "temporalityCapacity": "JDV_J189",
    _CAPACITY + "genderCapacityAvailable": "JDV_J190",
    _CAPACITY + "capacityClosingType": "JDV_J191",
    _CAPACITY + "additionalBedType": "JDV_J192",
    _CAPACITY + "capacitySourceType": "JDV_J193",
    _CAPACITY + "crisisType": "JDV_J194",
    _CAPACITY + "temporaryAssignement": "JDV_J195",
    _PRICE + "priceType": "JDV_J36",
    _PRICE + "priceUnit": "JDV_J205",
    _PRICE + "deliveryIncluded": "JDV_J206",
    _PRICE + "additionalServiceName": "JDV_J206",
    _PRICE + "residentialType": "JDV_J32",
    _PRICE + "specialPrice": "JDV_J39",
    _PRICE + "welcomeType": "JDV_J30",
    _PRICE + "dependencyLevel": "JDV_J27",
    _PRICE + "managementType": "JDV_J26",
}

# Sub-extensions whose value set depends on the coding's system: the territorial division's
# code is a commune, a département or a region (code-region-territorial-division-ror-valueset,
# not bundled: its parts are).
EXTENSION_SYSTEM_BINDINGS: Final[dict[str, dict[str, str]]] = {
    p.EXT_TERRITORIAL_DIVISION + "#codeTerritorialDivision": {
        _TRE("TRE_R13-CommuneOM"): "JDV_J124", _TRE("TRE_G09-DepartementOM"): "JDV_J248",
        p.TRE_R30_REGION: "JDV_J237"},
}

# Coding outside extensions, by element path without indices -> value set.
PATH_BINDINGS: Final[dict[str, str]] = {
    "HealthcareService.type.coding": "JDV_J20",
    "HealthcareService.category.coding": "JDV_J238",
    "Location.type.coding": "JDV_J198",
    "Location.operationalStatus": "JDV_J224",
    "Organization.contact.purpose.coding": "JDV_J221",
    "Task.businessStatus.coding": "JDV_J244",
    "Task.code.coding": "JDV_J241",
    "Task.reasonCode.coding": "JDV_J242",
}

# Sliced elements: the coding system tells which slice, hence which value set.
_REGION = {p.TRE_R30_REGION: "JDV_J237"}
SYSTEM_BINDINGS: Final[dict[str, dict[str, str]]] = {
    "HealthcareService.specialty.coding": {p.TRE_R211_OPERATIONAL_ACTIVITY: "JDV_J17"},
    "HealthcareService.characteristic.coding": {
        p.TRE_R213_CARE_MODE: "JDV_J19",
        _TRE("TRE_R338-ModaliteAccueil"): "JDV_J226",
        _TRE("TRE_R245-SpecialisationDePriseEnCharge"): "JDV_J35",
        _TRE("TRE_R243-CompetenceSpecifique"): "JDV_J33",
        _TRE("TRE_R240-TemporaliteAccueil"): "JDV_J30",
        _TRE("TRE_R238-OuvertureAnnuelle"): "JDV_J28",
        _TRE("TRE_R253-TypeMaternite"): "JDV_J227",
        _TRE("TRE_R344-NiveauExpertise"): "JDV_J227",
        _TRE("TRE_R210-ActeSpecifique"): "JDV_J16",
    },
    "Organization.type.coding": {_TRE("TRE_R66-CategorieEtablissement"): "JDV_J55"},
    "Questionnaire.useContext.valueCodeableConcept.coding": {
        _TRE("TRE_R66-CategorieEtablissement"): "JDV_J55",
        _TRE("TRE_R02-SecteurActivite"): "JDV_J55",  # cabinets and centres: catEG too
        _TRE("TRE_R227-ChampActivite"): "JDV_J20",
        _TRE("TRE_G15-ProfessionSante"): "JDV_J229",
        _TRE("TRE_R38-SpecialiteOrdinale"): "JDV_J210",
        _TRE("TRE_R343-FonctionLieu"): "JDV_J198",
    },
    **{f"{t}.meta.tag": _REGION for t in p.PROFILE_BY_TYPE},
}


#: the ROR's indicator views count the nation as region 00 (ror-quality.md A.3), which
#: TRE_R30 lacks: the steering indicators (national reports, definitions) carry it as their
#: region tag, and only they may
NATIONAL_REGION: Final = "00"
_NATIONAL_TAGS: Final = frozenset({"Measure.meta.tag", "MeasureReport.meta.tag"})


def _national_tag(where: str, system: str | None, code: str) -> bool:
    return code == NATIONAL_REGION and system == p.TRE_R30_REGION \
        and _INDEX.sub("", where) in _NATIONAL_TAGS


def check_codings(sites: list[CodingSite], terminology: TerminologyLike) -> list[Issue]:
    out: list[Issue] = []
    for where, coding, ctx in sites:
        code = coding.get("code")
        if not isinstance(code, str):
            continue
        raw_system = coding.get("system")
        system = terminology.canonical_system(raw_system) if isinstance(raw_system, str) \
            else None
        if _national_tag(where, system, code):
            continue
        vs = _bound_value_set(where, ctx, system)
        if vs is not None:
            result = terminology.check(vs, system, code)
            if result.status != "unknown-valueset":
                _report(result, where, vs, code, out)
                continue
        if system is not None and terminology.knows_system(system):
            _report(terminology.check(None, system, code), where, system, code, out)
    return out


def _bound_value_set(where: str, ctx: str, system: str | None) -> str | None:
    if ctx:
        by_system = EXTENSION_SYSTEM_BINDINGS.get(ctx)
        if by_system is not None:
            return by_system.get(system or "")
        return EXTENSION_BINDINGS.get(ctx)
    path = _INDEX.sub("", where)
    vs = PATH_BINDINGS.get(path)
    if vs is None and system is not None:
        by_system = SYSTEM_BINDINGS.get(path)
        vs = by_system.get(system) if by_system else None
    return vs


def _report(result: Any, where: str, against: str, code: str, out: list[Issue]) -> None:
    status = result.status
    if status in ("ok", "unknown-system", "unknown-valueset"):
        return
    message = result.message or f"code {code!r} is not in {against}: use one of its codes"
    if status == "retired":
        out.append(warning("code-invalid", f"{where}.code: {message}", f"{where}.code"))
    else:
        out.append(error("code-invalid", f"{where}.code: {message}", f"{where}.code"))
