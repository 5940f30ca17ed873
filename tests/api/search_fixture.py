"""A small hand-written ROR data set for the golden search recipes (SPEC.md §3.5).

Every resource has a fixed id so that the tests can name the results they expect. The
comments say which recipe each resource serves and why it should (or should not) match.

Organisations::

    ej-chu (EJ, FINESS 440000011)
      eg-chu-nord (EG, FINESS 440000029)
        oi-pole-cardio (pôle, OI 52/OI-0001)
          uf-coro (UF, OI 52/UF-0001)
      eg-chu-sud (EG, FINESS 440000037)
    ej-misc (EJ) > eg-misc (EG)            provides almost every other offer
    eg-ehpad-1 … eg-ehpad-5 (EG, no EJ)    prices of the tariff recipe

Offers (``OFFERS``) are grouped by recipe; each has the functional identifier
``52/<id>``. Places (``LOCATIONS``) carry positions, capacities and equipment; a few places,
an offer and a renamed pôle are written last (``late_changes``) for the ``_lastUpdated``
recipes.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders import SD, coding, tre

FHIR = {"Content-Type": "application/fhir+json"}
UCUM = "http://unitsofmeasure.org"
FINESS = "https://finess.esante.gouv.fr"
OI = "https://oi.esante.gouv.fr"
IDNAT_PS = "urn:oid:1.2.250.1.71.4.2.1"

R13 = tre("TRE_R13-CommuneOM")
R30 = tre("TRE_R30-RegionOM")
R211 = tre("TRE_R211-ActiviteOperationnelle")
R212 = tre("TRE_R212-Equipement")
R213 = tre("TRE_R213-ModePriseEnCharge")
R227 = tre("TRE_R227-ChampActivite")
R237 = tre("TRE_R237-GroupeTarifaireDependance")
R240 = tre("TRE_R240-TemporaliteAccueil")
R242 = tre("TRE_R242-TypeHabitation")
R244 = tre("TRE_R244-CategorieOrganisation")
R245 = tre("TRE_R245-SpecialisationDePriseEnCharge")
R246 = tre("TRE_R246-TypeTarif")
R250 = tre("TRE_R250-ConditionTarifaire")
R329 = tre("TRE_R329-NatureCapacite")
R330 = tre("TRE_R330-TypeStatutCapacite")
R331 = tre("TRE_R331-TemporaliteCapacite")
R332 = tre("TRE_R332-GenreCapacite")
R333 = tre("TRE_R333-TypeFermetureCapacite")
R338 = tre("TRE_R338-ModaliteAccueil")
R340 = tre("TRE_R340-TypeCaracteristiqueEquipement")
R355 = tre("TRE_R355-TypeIdentifiantOffre")
R354 = tre("TRE_R354-TypeIdentifiantRessourceOperationnelle")

CREATED = "2024-01-15T10:00:00+00:00"


def _cc(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": SD + name, **value}


def _sub(name: str, **value: Any) -> dict[str, Any]:
    return {"url": name, **value}


def _tag(region: str | None) -> dict[str, Any]:
    return {"tag": [{"system": R30, "code": region}]} if region else {}


# -- organisations ------------------------------------------------------------------------------

def price(kind: str, amount: float, start: str | None = None, *, residential: str | None = None,
          special: str | None = None, dependency: str | None = None,
          welcome: str | None = None) -> dict[str, Any]:
    """One ror-organization-price (Tarif) record, per day (TRE_R228 code 01)."""
    parts = [_sub("priceType", valueCodeableConcept=_cc(R246, kind)),
             _sub("priceUnit", valueCodeableConcept=coding("TRE_R228-UnitePrix", "01")),
             _sub("amount", valueMoney={"value": amount, "currency": "EUR"})]
    if start:
        parts.append(_sub("startDate", valueDateTime=start))
    for name, system, code in (("residentialType", R242, residential),
                               ("specialPrice", R250, special),
                               ("dependencyLevel", R237, dependency),
                               ("welcomeType", R240, welcome)):
        if code:
            parts.append(_sub(name, valueCodeableConcept=_cc(system, code)))
    return _ext("ror-organization-price", extension=parts)


def establishment(rid: str, name: str, finess: str, part_of: str | None = None,
                  prices: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """An EJ (no ``part_of``) or an EG (``part_of`` its EJ), with their FINESS number."""
    body: dict[str, Any] = {
        "resourceType": "Organization", "id": rid,
        "extension": [_ext("ror-meta-creation-date", valueDateTime=CREATED), *prices],
        "identifier": [{"system": FINESS, "value": finess}],
        "name": name,
    }
    if part_of:
        body["partOf"] = {"reference": f"Organization/{part_of}"}
    return body


def internal_unit(rid: str, name: str, oi_id: str, part_of: str, *, uf: bool = False
                  ) -> dict[str, Any]:
    """A pôle/service (RORInternalOrganization) or a UF (RORCoreOrganizationUF)."""
    body: dict[str, Any] = {
        "resourceType": "Organization", "id": rid,
        "extension": [_ext("ror-meta-creation-date", valueDateTime=CREATED)],
        "identifier": [{"type": coding("TRE_R345-TypeIdentifiantAutre", "42"), "system": OI,
                        "value": oi_id}],
        "name": name,
        "partOf": {"reference": f"Organization/{part_of}"},
    }
    if uf:
        body["meta"] = {"profile": [SD + "ror-core-organization-uf"]}
        body["type"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                     "code": "UF"}]}]
    return body


ORGANIZATIONS: list[dict[str, Any]] = [
    establishment("ej-chu", "CHU de test", "440000011"),
    establishment("eg-chu-nord", "CHU de test — site Nord", "440000029", "ej-chu"),
    internal_unit("oi-pole-cardio", "Pôle cœur-poumons", "52/OI-0001", "eg-chu-nord"),
    internal_unit("uf-coro", "UF coronarographie", "52/UF-0001", "oi-pole-cardio", uf=True),
    establishment("eg-chu-sud", "CHU de test — site Sud", "440000037", "ej-chu"),
    establishment("ej-misc", "Association de test", "290000009"),
    establishment("eg-misc", "Établissement divers", "290000017", "ej-misc"),
    # Tariff recipe: price-type 02 and amount < 80, sorted by -price-validity-start-date.
    establishment("eg-ehpad-1", "EHPAD Les Tilleuls", "710000011", prices=(
        price("02", 65.0, "2024-01-01", residential="03", special="03", dependency="02",
              welcome="02"),)),                                   # matches, 2024
    establishment("eg-ehpad-2", "EHPAD Les Chênes", "710000029", prices=(
        price("02", 75.0, "2023-01-01"),)),                        # matches, 2023
    establishment("eg-ehpad-3", "EHPAD Les Saules", "710000037", prices=(
        price("02", 70.0, "2025-01-01"),)),                        # matches, 2025
    establishment("eg-ehpad-4", "EHPAD Les Ormes", "710000045", prices=(
        price("02", 90.0, "2025-06-01"),)),                        # too expensive
    # decoy: a type-02 price and a cheap price exist, but not in the same record
    establishment("eg-ehpad-5", "EHPAD Les Pins", "710000052", prices=(
        price("01", 50.0, "2025-03-01", residential="03", special="03", dependency="02",
              welcome="02"),
        price("02", 95.0, "2025-03-01"))),
]


# -- places -------------------------------------------------------------------------------------

def capacity(kind: str, status: str, temporality: str, nb: int, *, gender: str | None = None,
             closing: str | None = None, additional: str | None = None) -> dict[str, Any]:
    """One ror-location-supported-capacity record (entered by hand, no temporary assignment)."""
    parts = [_sub("capacityType", valueCodeableConcept=_cc(R329, kind)),
             _sub("capacityStatus", valueCodeableConcept=_cc(R330, status)),
             _sub("temporalityCapacity", valueCodeableConcept=_cc(R331, temporality)),
             _sub("nbCapacity", valueInteger=nb),
             _sub("capacitySourceType",
                  valueCodeableConcept=coding("TRE_R335-TypeSourceCapacite", "01")),
             _sub("capacityUpdateDate", valueDateTime="2025-05-01T08:00:00+02:00"),
             _sub("temporaryAssignement",
                  valueCodeableConcept=coding("TRE_R337-AffectationTemporaire", "01"))]
    if gender:
        parts.append(_sub("genderCapacityAvailable", valueCodeableConcept=_cc(R332, gender)))
    if closing:
        parts.append(_sub("capacityClosingType", valueCodeableConcept=_cc(R333, closing)))
    if additional:
        parts.append(_sub("additionalBedType", valueCodeableConcept=coding(
            "TRE_R334-TypeLitSupplementaire", additional)))
    return _ext("ror-location-supported-capacity", extension=parts)


def equipment(kind: str, *limits: tuple[str, float, str]) -> dict[str, Any]:
    """One ror-location-equipment with its limits (feature, value, UCUM unit)."""
    parts: list[dict[str, Any]] = [
        _sub("equipmentType", valueCodeableConcept=_cc(R212, kind)),
        _sub("nbInService", valueInteger=1)]
    parts += [_ext("ror-location-equipment-limit", extension=[
        _sub("equipmentFeature", valueCodeableConcept=_cc(R340, feature)),
        _sub("limitValue", valueQuantity={"value": value, "unit": unit, "system": UCUM,
                                          "code": unit})]) for feature, value, unit in limits]
    return _ext("ror-location-equipment", extension=parts)


def place(rid: str, commune: str, postal_code: str, city: str, *,
          position: tuple[float, float] | None = None, region: str | None = None,
          place_id: str | None = None, extensions: tuple[dict[str, Any], ...] = (),
          name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Location", "id": rid, "meta": _tag(region),
        "extension": [_ext("ror-meta-creation-date", valueDateTime=CREATED),
                      _ext("ror-commune-cog", valueCodeableConcept=_cc(R13, commune)),
                      *extensions],
        "name": name or f"Lieu {rid}",
        "address": {"line": ["1 rue de test"], "postalCode": postal_code, "city": city},
    }
    if position:
        body["position"] = {"latitude": position[0], "longitude": position[1]}
    if place_id:
        body["identifier"] = [{"type": _cc(R354, "25"), "value": place_id}]
    return body


LOCATIONS: list[dict[str, Any]] = [
    # Near Saint-Herblain (44162, gazetteer point 47.2244,-1.6344) / the point 47.218,-1.637.
    place("loc-orvault", "44114", "44700", "Orvault", position=(47.2711, -1.6225), region="52",
          place_id="52/192675"),                         # 5.27 km from 44162, 6.01 km from point
    place("loc-nantes", "44109", "44000", "Nantes", position=(47.2184, -1.5536), region="52",
          place_id="52/192676"),                         # 6.14 km / 6.30 km
    place("loc-reze", "44143", "44400", "Rezé", position=(47.1762, -1.5497), region="52"),
    # 8.35 km / 8.07 km
    place("loc-stnazaire", "44184", "44600", "Saint-Nazaire", position=(47.2735, -2.2138),
          region="52"),                                  # 44 km: outside 15 km
    # Commune and postcode recipes.
    place("loc-bourges", "18033", "18000", "Bourges", region="24"),
    place("loc-marseille13", "13213", "13013", "Marseille"),
    place("loc-vannes", "56260", "56000", "Vannes"),
    place("loc-macon", "71270", "71000", "Mâcon"),
    place("loc-annonay", "07010", "07100", "Annonay"),  # "07100" contains "71", not a prefix
    place("loc-stbrieuc", "22278", "22000", "Saint-Brieuc"),
    place("loc-brest", "29019", "29200", "Brest"),
    place("loc-vannes-2", "56260", "56000", "Vannes"),
    # Capacity recipes (USINV).
    place("loc-usinv-ok", "44109", "44000", "Nantes", extensions=(
        capacity("01", "01", "01", 12),                               # installed
        capacity("01", "02", "01", 2, gender="01"),                   # 2 available female beds
        capacity("01", "05", "01", 4, closing="01"),                  # 4 closed, re-openable
    )),
    # decoy: every criterion is met by some record, never all by the same record
    place("loc-usinv-spread", "44109", "44000", "Nantes", extensions=(
        capacity("01", "01", "01", 20),                               # installed, count > 0
        capacity("01", "02", "01", 3, gender="02"),                   # available now, male
        capacity("01", "02", "03", 1, gender="01"),                   # female, in 24 h
        capacity("01", "02", "01", 0, gender="01"),                   # female now, none free
        capacity("01", "05", "01", 3, closing="02"),                  # closed for good
        capacity("01", "05", "01", 0, closing="01"),                  # re-openable: none
    )),
    place("loc-usinv-none", "44109", "44000", "Nantes", extensions=(
        capacity("01", "02", "01", 0, gender="01"),                   # female now, none free
    )),
    # Equipment recipe: 088 (bariatric table), weight limit (R340 001) >= 200 kg.
    place("loc-bloc-250", "44109", "44000", "Nantes", name="Bloc cardio-orthopédique",
          extensions=(equipment("088", ("001", 250, "kg")),)),  # also _filter location._content
    place("loc-bloc-150", "44109", "44000", "Nantes",
          extensions=(equipment("088", ("001", 150, "kg")),)),      # decoy: 150 kg
    # decoy: the 300 kg limit belongs to another equipment (089), not to the table
    place("loc-bloc-spread", "44109", "44000", "Nantes",
          extensions=(equipment("088", ("001", 150, "kg")),
                      equipment("089", ("001", 300, "kg")))),
    # decoy: 250 kg is the limit of another feature (002) of the same table
    place("loc-bloc-two-limits", "44109", "44000", "Nantes",
          extensions=(equipment("088", ("001", 150, "kg"), ("002", 250, "kg")),)),
    # 220 000 g = 220 kg: a match once units are converted
    place("loc-bloc-grams", "44109", "44000", "Nantes",
          extensions=(equipment("088", ("001", 220000, "g")),)),
]

#: written after everything else, so that _lastUpdated separates them
LATE_LOCATIONS: list[dict[str, Any]] = [
    place("loc-late-1", "44109", "44000", "Nantes", region="52"),
    place("loc-late-2", "18033", "18000", "Bourges", region="24"),
]


# -- offers -------------------------------------------------------------------------------------

def offer(rid: str, name: str, provided_by: str, specialty: str, *, field: str = "01",
          category: str | None = None, characteristics: tuple[tuple[str, str], ...] = (
              (R213, "32"),), locations: tuple[str, ...] = (), zones: tuple[str, ...] = (),
          age: tuple[int, int] = (0, 120)) -> dict[str, Any]:
    """A RORHealthcareService whose functional identifier is ``52/<id>``."""
    extensions = [
        _ext("ror-meta-creation-date", valueDateTime=CREATED),
        _ext("ror-healthcareservice-sensitive-unit", valueBoolean=False),
        _ext("ror-healthcareservice-patient-type", extension=[_sub("ageRange", valueRange={
            "low": {"value": age[0], "system": UCUM, "code": "a"},
            "high": {"value": age[1], "system": UCUM, "code": "a"}})]),
    ]
    extensions += [_ext("ror-territorial-division", extension=[
        _sub("typeTerritorialDivision",
             valueCodeableConcept=coding("TRE_R201-TypeDivisionTerritoriale", "3")),
        _sub("codeTerritorialDivision", valueCodeableConcept=_cc(R13, zone))]) for zone in zones]
    body: dict[str, Any] = {
        "resourceType": "HealthcareService", "id": rid,
        "extension": extensions,
        "identifier": [{"type": _cc(R355, "35"), "value": f"52/{rid}"}],
        "providedBy": {"reference": f"Organization/{provided_by}"},
        "name": name,
        "type": [_cc(R227, field)],
        "specialty": [_cc(R211, specialty)],
        "characteristic": [_cc(system, code) for system, code in characteristics],
    }
    if category:
        body["category"] = [_cc(R244, category)]
    if locations:
        body["location"] = [{"reference": f"Location/{loc}"} for loc in locations]
    return body


CONSULT = (R213, "32")
HOSTING = (R213, "46")

OFFERS: list[dict[str, Any]] = [
    # Cardiology near Saint-Herblain; also the establishment tree (organization:above).
    offer("cardio-nantes", "Consultations Nantes centre", "uf-coro", "013",
          locations=("loc-nantes",)),
    offer("cardio-orvault", "Consultations Orvault", "eg-chu-nord", "013",
          locations=("loc-orvault",)),
    offer("cardio-reze", "Consultations Rezé", "oi-pole-cardio", "013",
          locations=("loc-reze",)),
    offer("cardio-stnazaire", "Consultations Saint-Nazaire", "eg-chu-sud", "013",
          locations=("loc-stnazaire",)),
    offer("gp-nantes", "Cabinet Nantes centre", "eg-misc", "437", field="05",
          locations=("loc-nantes",)),                    # near, but not cardiology
    # Full text: a name match and label-only matches (« Cardiologie générale », 013).
    offer("service-cardiologie", "Service de Cardiologie", "eg-misc", "233", field="02",
          category="102"),
    offer("pedopsy-a-cmp", "CMP enfants", "eg-misc", "227", field="03"),
    offer("pedopsy-b-hdj", "Hôpital de jour pédopsychiatrique", "eg-misc", "227", field="03"),
    offer("psy-ado", "CMP adolescents", "eg-misc", "228", field="03"),  # not 227
    # Type (R244 50, ITEP) AND modality (R338 01, accueil séquentiel).
    offer("itep-seq", "ITEP accueil séquentiel", "eg-misc", "294", field="04", category="50",
          characteristics=(HOSTING, (R338, "01"))),
    offer("itep-consult", "ITEP consultations", "eg-misc", "294", field="04", category="50",
          characteristics=(CONSULT, (R338, "03"))),
    offer("saad-seq", "Accueil séquentiel", "eg-misc", "294", field="04", category="30",
          characteristics=(HOSTING, (R338, "01"))),
    # Postcode 71 + EHPAD (21) + hosting (46) + specialisation R245 24.
    offer("ehpad-macon", "EHPAD Mâcon unité protégée", "eg-misc", "294", field="04",
          category="21", characteristics=(HOSTING, (R245, "24")), locations=("loc-macon",)),
    offer("ehpad-macon-plain", "EHPAD Mâcon", "eg-misc", "294", field="04", category="21",
          characteristics=(HOSTING,), locations=("loc-macon",)),          # no R245 24
    offer("ehpad-annonay", "EHPAD Annonay unité protégée", "eg-misc", "294", field="04",
          category="21", characteristics=(HOSTING, (R245, "24")),
          locations=("loc-annonay",)),                                   # 07100
    # Commune (COG 18033 or 13213) + general practice (437) + consultation (32).
    offer("gp-bourges", "Cabinet Bourges", "eg-misc", "437", field="05",
          locations=("loc-bourges",)),
    offer("gp-marseille13", "Cabinet Marseille 13e", "eg-misc", "437", field="05",
          locations=("loc-marseille13",)),
    offer("gp-vannes", "Cabinet Vannes", "eg-misc", "437", field="05",
          locations=("loc-vannes",)),                                    # other commune
    offer("gp-bourges-care", "Soins Bourges", "eg-misc", "437", field="05",
          characteristics=((R213, "20"),), locations=("loc-bourges",)),  # not consultation
    offer("cardio-bourges", "Consultations Bourges", "eg-misc", "013",
          locations=("loc-bourges",)),                                   # not 437
    # Intervention zone Morlaix (29151) + SAAD (30) + AVQ (293).
    offer("saad-morlaix", "SAAD Morlaix", "eg-misc", "293", field="04", category="30",
          characteristics=(HOSTING,), zones=("29151",)),
    offer("saad-pays", "SAAD du pays", "eg-misc", "293", field="04", category="30",
          characteristics=(HOSTING,), zones=("29019", "29151")),
    offer("saad-brest", "SAAD Brest", "eg-misc", "293", field="04", category="30",
          characteristics=(HOSTING,), zones=("29019",)),                 # other commune
    offer("ssiad-morlaix", "Soins à domicile Morlaix", "eg-misc", "293", field="04",
          category="21", characteristics=(HOSTING,), zones=("29151",)),  # not SAAD
    # Capacity (USINV 356).
    offer("usinv-ok", "USINV", "eg-misc", "356", characteristics=(HOSTING,),
          locations=("loc-usinv-ok",)),
    offer("usinv-spread", "USINV bis", "eg-misc", "356", characteristics=(HOSTING,),
          locations=("loc-usinv-spread",)),
    offer("usinv-none", "USINV ter", "eg-misc", "356", characteristics=(HOSTING,),
          locations=("loc-usinv-none",)),
    offer("gyneco-usinv-ok", "Gynécologie", "eg-misc", "022", characteristics=(HOSTING,),
          locations=("loc-usinv-ok",)),                                  # other specialty
    # Equipment (025 orthopaedic surgery).
    offer("ortho-250", "Orthopédie A", "eg-misc", "025", characteristics=(HOSTING,),
          locations=("loc-bloc-250",)),
    offer("ortho-150", "Orthopédie B", "eg-misc", "025", characteristics=(HOSTING,),
          locations=("loc-bloc-150",)),
    offer("ortho-spread", "Orthopédie C", "eg-misc", "025", characteristics=(HOSTING,),
          locations=("loc-bloc-spread",)),
    offer("ortho-two-limits", "Orthopédie D", "eg-misc", "025", characteristics=(HOSTING,),
          locations=("loc-bloc-two-limits",)),
    offer("ortho-grams", "Orthopédie E", "eg-misc", "025", characteristics=(HOSTING,),
          locations=("loc-bloc-grams",)),
    offer("gyneco-250", "Gynécologie B", "eg-misc", "022", characteristics=(HOSTING,),
          locations=("loc-bloc-250",)),                                  # other specialty
    # Tariffs: one EHPAD offer per priced EG; ids chosen so that id order != date order.
    offer("tarif-a", "EHPAD Tilleuls", "eg-ehpad-1", "294", field="04", category="21",
          characteristics=(HOSTING,)),                   # 65 €, 2024-01-01
    offer("tarif-b", "EHPAD Chênes", "eg-ehpad-2", "294", field="04", category="21",
          characteristics=(HOSTING,)),                   # 75 €, 2023-01-01
    offer("tarif-c", "EHPAD Saules", "eg-ehpad-3", "294", field="04", category="21",
          characteristics=(HOSTING,)),                   # 70 €, 2025-01-01
    offer("tarif-d", "EHPAD Ormes", "eg-ehpad-4", "294", field="04", category="21",
          characteristics=(HOSTING,)),                   # 90 €
    offer("tarif-e", "EHPAD Pins", "eg-ehpad-5", "294", field="04", category="21",
          characteristics=(HOSTING,)),                   # spread prices
    # _filter: (specialty eq S|005 or S|481); département 22 or 29; age 35.
    offer("allergo", "Allergologie", "eg-misc", "005", locations=("loc-stbrieuc",)),
    offer("gp-allergo", "Médecine générale orientation allergologie", "eg-misc", "481",
          field="05", locations=("loc-brest",)),
    offer("gp-vannes-2", "Cabinet Vannes 2", "eg-misc", "437", field="05",
          locations=("loc-vannes-2",)),
    offer("smr-loco-adult", "SMR locomoteur adultes", "eg-misc", "233", field="02",
          category="102", age=(18, 120)),               # category C|102, 35 in range
    offer("smr-loco-child", "SMR locomoteur enfants", "eg-misc", "233", field="02",
          category="102", age=(0, 17)),                 # right category, 35 out of range
    offer("readapt-adult", "Réadaptation adultes", "eg-misc", "233", field="02",
          age=(16, 65)),                                # specialty S|233, 35 in range
]

#: written after LATE_LOCATIONS (it is at loc-late-1)
LATE_OFFER = offer("late-offer", "Offre tardive", "eg-misc", "437", field="05",
                   locations=("loc-late-1",))


# -- professionals and anomalies ---------------------------------------------------------------

def professional(rid: str, idnat: str, family: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": rid,
            "extension": [_ext("ror-meta-creation-date", valueDateTime=CREATED)],
            "identifier": [{"system": IDNAT_PS, "value": idnat}],
            "name": [{"family": family, "given": ["Claire"]}]}


def role(rid: str, practitioner: str, service: str) -> dict[str, Any]:
    return {"resourceType": "PractitionerRole", "id": rid,
            "extension": [_ext("ror-meta-creation-date", valueDateTime=CREATED),
                          _ext("ror-practitionerrole-unit-exercise-mode",
                               valueCodeableConcept=coding("TRE_R23-ModeExercice", "S"))],
            "practitioner": {"reference": f"Practitioner/{practitioner}"},
            "healthcareService": [{"reference": f"HealthcareService/{service}"}]}


def anomaly(rid: str, focus: str, identifier: str) -> dict[str, Any]:
    return {
        "resourceType": "Task", "id": rid,
        "identifier": [{"system": "https://ror.example/anomalies", "value": identifier}],
        "status": "in-progress", "intent": "order",
        "businessStatus": coding("TRE_R352-StatutMetierAnomalie", "02"),
        "code": coding("TRE_R350-ThematiqueAnomalie", "06"),
        "reasonCode": coding("TRE_R349-ActionAnomalie", "COR"),
        "description": "Le téléphone est erroné",
        "focus": {"reference": focus},
        "authoredOn": "2025-01-03", "lastModified": "2025-01-04",
        "input": [{"type": {"coding": [{
            "system": "https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/"
                      "input-task-ror-codesystem", "code": "systemRequester"}]},
                   "valueString": "IHM"}],
    }


PEOPLE: list[dict[str, Any]] = [
    professional("pract-martin", "810000000001", "MARTIN"),
    professional("pract-durand", "810000000002", "DURAND"),
    professional("pract-petit", "810000000003", "PETIT"),
    role("role-martin-cardio", "pract-martin", "cardio-nantes"),
    role("role-martin-gp", "pract-martin", "gp-bourges"),
    role("role-durand-cardio", "pract-durand", "cardio-nantes"),
    role("role-petit-gp", "pract-petit", "gp-vannes"),
]

TASKS: list[dict[str, Any]] = [
    anomaly("task-reze-1", "HealthcareService/cardio-reze", "ANO-1"),
    anomaly("task-reze-2", "HealthcareService/cardio-reze", "ANO-2"),
    anomaly("task-orvault", "HealthcareService/cardio-orvault", "ANO-3"),
    anomaly("task-org", "Organization/eg-chu-nord", "ANO-4"),
]


def put(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.put(f"/{body['resourceType']}/{body['id']}", json=body, headers=FHIR)
    assert response.status_code in (200, 201), response.text
    stored: dict[str, Any] = response.json()
    return stored


def late_changes() -> list[dict[str, Any]]:
    """What is written last: two places, an offer at one of them, and a renamed pôle (so
    that the offers under it changed "above", for delta sync)."""
    renamed = {**next(o for o in ORGANIZATIONS if o["id"] == "oi-pole-cardio"),
               "name": "Pôle cœur-poumons-vaisseaux"}
    return [*LATE_LOCATIONS, LATE_OFFER, renamed]


def load(client: httpx.Client) -> str:
    """Write the whole data set; return the lastUpdated of the first late change."""
    for body in [*ORGANIZATIONS, *LOCATIONS, *OFFERS, *PEOPLE, *TASKS]:
        put(client, body)
    late = [put(client, body) for body in late_changes()]
    marker: str = late[0]["meta"]["lastUpdated"]
    return marker
