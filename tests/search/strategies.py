"""Hypothesis strategies: small random but valid ROR worlds, and search queries over them.

``worlds()``: a few legal entities (Organization) with their sites and units below them
through ``partOf``, places (Location: commune, address, position, capacity records, equipment
with nested limits), offers (HealthcareService: activity, category, characteristics, public
with an age range, closing period), professionals (Practitioner) and their situations
(PractitionerRole). Some are first written in another shape then updated, a few are deleted.
Codes, names and dates come from small pools so that random queries hit something; every
resource passes the server's ROR validation. ``example_of`` draws one reproducibly.

``*_queries(world)``: a resource type and query-string pairs over that world — single
parameters of every type with and without modifiers, comma OR and repeated AND, chains,
``_has``, ``_filter`` and correlated groups (capacity, equipment, public), near.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from openror.terminology import default_terminology

SD = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
NOS = "https://mos.esante.gouv.fr/NOS/"
UCUM = "http://unitsofmeasure.org"
FINESS = "https://finess.esante.gouv.fr"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"
RPPS = "urn:oid:1.2.250.1.71.4.2.1"
REGION = "11"  # the region the write path stamps (Settings.region of the tests)

Json = dict[str, Any]
Pairs = tuple[tuple[str, str], ...]


def tre(name: str) -> str:
    """'TRE_R213-ModePriseEnCharge' -> its canonical code-system URL."""
    return f"{NOS}{name}/FHIR/{name.replace('_', '-')}"


@dataclass(frozen=True)
class Pool:
    """Codes of one code system that the world draws from (and queries ask for)."""

    system: str
    codes: tuple[str, ...]

    def coding(self, code: str) -> Json:
        return {"coding": [{"system": self.system, "code": code}]}


CAPACITY_TYPE = Pool(tre("TRE_R329-NatureCapacite"), ("01", "02"))
CAPACITY_STATUS = Pool(tre("TRE_R330-TypeStatutCapacite"), ("01", "02", "03", "05"))
TEMPORALITY = Pool(tre("TRE_R331-TemporaliteCapacite"), ("01", "02", "03"))
GENDER = Pool(tre("TRE_R332-GenreCapacite"), ("01", "02", "04"))
CAPACITY_SOURCE = Pool(tre("TRE_R335-TypeSourceCapacite"), ("01", "02"))
ASSIGNMENT = Pool(tre("TRE_R337-AffectationTemporaire"), ("01", "02"))
CLOSING = Pool(tre("TRE_R333-TypeFermetureCapacite"), ("01", "02"))
#: search parameter -> the capacity record's sub-extension
CAPACITY_FIELDS = {"capacity-type": "capacityType", "capacity-status": "capacityStatus",
                   "temporality-capacity": "temporalityCapacity",
                   "temporary-assignement": "temporaryAssignement",
                   "gender-capacity-available": "genderCapacityAvailable",
                   "capacity-closing-type": "capacityClosingType"}
EQUIPMENT = Pool(tre("TRE_R212-Equipement"), ("003", "005", "009", "017"))
FEATURE = Pool(tre("TRE_R340-TypeCaracteristiqueEquipement"), ("01", "02", "03"))
SPECIALTY = Pool(tre("TRE_R211-ActiviteOperationnelle"), ("005", "013", "014", "022", "437"))
CATEGORY = Pool(tre("TRE_R244-CategorieOrganisation"), ("01", "02", "06", "08"))
FIELD = Pool(tre("TRE_R227-ChampActivite"), ("01", "02", "03", "05"))
CARE_MODE = Pool(tre("TRE_R213-ModePriseEnCharge"), ("01", "02", "09", "32"))
WELCOME = Pool(tre("TRE_R338-ModaliteAccueil"), ("03", "04", "06"))
PUBLIC = Pool(tre("TRE_R239-PublicPrisEnCharge"), ("01", "02", "03", "04"))
ORG_TYPE = Pool(tre("TRE_R66-CategorieEtablissement"), ("101", "106", "124"))
PROFESSION = Pool(tre("TRE_G15-ProfessionSante"), ("10", "21", "60"))
PLACE_FUNCTION = Pool(tre("TRE_R343-FonctionLieu"), ("001", "002"))
STRUCTURE_ID_TYPE = Pool(tre("TRE_G07-TypeIdentifiantStructure"), ("1", "40"))
REGION_TAG = tre("TRE_R30-RegionOM")
DEPARTEMENT_SYSTEM = tre("TRE_G09-DepartementOM")
COMMUNE_SYSTEM = tre("TRE_R13-CommuneOM")
OFFER_ID_TYPE = tre("TRE_R355-TypeIdentifiantOffre")
PLACE_ID_TYPE = tre("TRE_R354-TypeIdentifiantRessourceOperationnelle")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postal_code: str
    departement: str
    region: str
    lat: float
    lon: float


#: communes of the bundled gazetteer (code, name, a postal code, département, region, centre)
COMMUNES = (
    Commune("44109", "Nantes", "44000", "44", "52", 47.2316, -1.5483),
    Commune("35238", "Rennes", "35000", "35", "53", 48.112, -1.6819),
    Commune("78646", "Versailles", "78000", "78", "11", 48.8026, 2.1179),
    Commune("75056", "Paris", "75013", "75", "11", 48.8603, 2.3405),
    Commune("45234", "Orléans", "45000", "45", "24", 47.8829, 1.9161),
    Commune("42218", "Saint-Étienne", "42000", "42", "84", 45.4301, 4.3791),
    Commune("69123", "Lyon", "69003", "69", "84", 45.7588, 4.8353),
)

ORG_NAMES = ("Centre hospitalier Émile Roux", "Clinique Sainte-Anne", "Hôpital privé de l'Estuaire",
             "Groupe hospitalier Est", "Pôle Mère-Enfant", "Service de réanimation",
             "EHPAD Les Tilleuls", "Maison de santé Côte d'Émeraude", "CHU de Nantes")
ORG_ALIASES = ("CHER", "GHE", "Site Nord", "Clinique du Parc")
PLACE_NAMES = ("Bâtiment A", "Aile Sud", "Pavillon Pasteur", "Unité Éole", "Résidence Les Érables",
               "Plateau technique", "Hôpital de jour Gaïa")
PLACE_ALIASES = ("Annexe", "Site principal", "Étage 2", "Bloc_B 100%", "Salle \\ 3")
STREETS = ("7 rue de la Paix", "12 avenue Jean Jaurès", "3 place de l'Église",
           "1 boulevard Étienne")
OFFER_NAMES = ("Médecine générale", "Maternité de niveau 2", "Chirurgie orthopédique",
               "Soins médicaux et de réadaptation", "Pédiatrie", "Gériatrie aiguë",
               "Hôpital de jour", "Urgences pédiatriques", "Cardiologie interventionnelle",
               "Psychiatrie générale", "Éducation thérapeutique", "Consultation mémoire")
FAMILIES = ("MARTIN", "Dubois", "LEFÈVRE", "Garçon", "N'Diaye", "Rousseau")
GIVENS = ("Claire", "Élodie", "François", "Jérôme", "Anaïs", "Zoé")
FINESS_NUMBERS = ("440000271", "440000289", "350000741", "780110078", "450000088", "420784878",
                  "690781810", "750712184")
RPPS_NUMBERS = ("810000000011", "810000000029", "810000000037", "810001234567", "810009999991")
CAPACITY_DATES = ("2024-03-01T08:00:00Z", "2024-07-08T18:15:39Z", "2024-07-08T22:30:00+02:00",
                  "2024-07-08", "2024-07", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00+01:00",
                  "2025-02-14T12:00:00.250Z", "2025-06-30")
CLOSING_PERIODS: tuple[tuple[str | None, str | None], ...] = (
    ("2024-08-01", "2024-08-31"), ("2024-12-20T18:00:00Z", "2025-01-05T08:00:00Z"),
    ("2025-03", None), ("2023", "2024-02-15"), (None, "2024-06-30"))
LIMITS_KG = (100, 150, 200, 250)
PERIOD_ENDS = ("2023-12-31", "2024-06-30T23:59:59+02:00", "2025-09", "2026")


# -- a world -----------------------------------------------------------------------------------

@dataclass
class World:
    """The writes that make a world, in order: each resource is created (sometimes first in
    another shape, then updated), and a few are deleted at the end; each reference points to
    a resource written before. Also the values the world carries, for queries to ask about
    (those of replaced shapes and deleted resources too: they must no longer match)."""

    writes: list[tuple[str, Json]] = field(default_factory=list)  # ("put" | "delete", body)
    tokens: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    texts: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    positions: list[tuple[float, float]] = field(default_factory=list)
    #: group -> the search values of each element written (a capacity record, an equipment
    #: limit…), so that correlated queries can ask for values held together
    elements: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, body: Json) -> str:
        self.writes.append(("put", body))
        return f"{body['resourceType']}/{body['id']}"

    def delete(self, body: Json) -> None:
        self.writes.append(("delete", body))

    @property
    def resources(self) -> list[Json]:
        """The live resources, as last written."""
        live: dict[tuple[str, str], Json] = {}
        for op, body in self.writes:
            key = (body["resourceType"], body["id"])
            if op == "put":
                live[key] = body
            else:
                live.pop(key, None)
        return list(live.values())

    def ids(self, rtype: str) -> list[str]:
        """Every id written, deleted ones included."""
        return list(dict.fromkeys(b["id"] for _, b in self.writes if b["resourceType"] == rtype))

    def element(self, group: str, values: dict[str, str]) -> None:
        self.elements.setdefault(group, []).append(values)

    def token(self, rtype: str, name: str, system: str, code: str) -> None:
        self.tokens.setdefault((rtype, name), set()).add((system, code))

    def text(self, rtype: str, name: str, value: str) -> None:
        self.texts.setdefault((rtype, name), set()).add(value)


def _ext(name: str, **value: Any) -> Json:
    return {"url": SD + name, **value}


def _sub(name: str, **value: Any) -> Json:
    return {"url": name, **value}


def _telecom() -> Json:
    return {"system": "phone", "value": "0102030405", "extension": [
        _ext("ror-telecom-communication-channel",
             valueCodeableConcept=Pool(tre("TRE_R200-CanalCommunication"), ()).coding("2")),
        _ext("ror-telecom-confidentiality-level",
             valueCodeableConcept=Pool(tre("TRE_R283-NiveauConfidentialite"), ()).coding("1"))]}


def _pick(draw: st.DrawFn, pool: Pool) -> str:
    return draw(st.sampled_from(pool.codes))


def _coded(draw: st.DrawFn, w: World, rtype: str, name: str, pool: Pool) -> Json:
    code = _pick(draw, pool)
    w.token(rtype, name, pool.system, code)
    return pool.coding(code)


def _organization(draw: st.DrawFn, w: World, rid: str, parent: str | None) -> Json:
    commune = draw(st.sampled_from(COMMUNES))
    name = draw(st.sampled_from(ORG_NAMES))
    w.text("Organization", "name", name)
    w.text("Organization", "address-city", commune.name)
    w.text("Organization", "address-postalcode", commune.postal_code)
    finess = draw(st.sampled_from(FINESS_NUMBERS))
    w.token("Organization", "identifier", FINESS, finess)
    body: Json = {
        "resourceType": "Organization", "id": rid,
        "identifier": [{"system": FINESS, "value": finess,
                        "type": STRUCTURE_ID_TYPE.coding("1")}],
        "name": name, "telecom": [_telecom()],
        "address": [{"line": [draw(st.sampled_from(STREETS))], "city": commune.name,
                     "postalCode": commune.postal_code}],
    }
    if draw(st.booleans()):
        idnst = "1" + finess
        w.token("Organization", "identifier", IDNST, idnst)
        body["identifier"].append({"system": IDNST, "value": idnst,
                                   "type": STRUCTURE_ID_TYPE.coding("40")})
    if draw(st.booleans()):
        body["active"] = draw(st.booleans())
    if draw(st.booleans()):
        body["type"] = [_coded(draw, w, "Organization", "type", ORG_TYPE)]
    if draw(st.integers(0, 3)) == 0:
        alias = draw(st.sampled_from(ORG_ALIASES))
        w.text("Organization", "name", alias)
        body["alias"] = [alias]
    extensions = []
    if draw(st.integers(0, 3)) == 0:
        extra = draw(st.sampled_from(ORG_ALIASES))
        w.text("Organization", "name", extra)
        extensions.append(_ext("ror-organization-additional-name", valueString=extra))
    if draw(st.integers(0, 2)) == 0:
        end = draw(st.sampled_from(PERIOD_ENDS))
        extensions.append({"url": "http://hl7.org/fhir/StructureDefinition/organization-period",
                           "valuePeriod": {"start": "2001-01-01", "end": end}})
    if extensions:
        body["extension"] = extensions
    if parent:
        body["partOf"] = {"reference": parent}
    return body


def _capacity(draw: st.DrawFn, w: World, taken: set[tuple[str, ...]]) -> Json | None:
    """A valid capacity indicator (fhir.capacity_indicators), or None when the place holds
    the drawn one already (each indicator once per place)."""
    status = _pick(draw, CAPACITY_STATUS)
    drawn = {"capacity-type": _pick(draw, CAPACITY_TYPE), "capacity-status": status,
             "temporality-capacity": _pick(draw, TEMPORALITY) if status == "02" else "01",
             "temporary-assignement": _pick(draw, ASSIGNMENT)}
    if status == "02" and draw(st.booleans()):
        drawn["gender-capacity-available"] = _pick(draw, GENDER)
    if status == "05":
        drawn["capacity-closing-type"] = _pick(draw, CLOSING)
    key = tuple(sorted(drawn.items()))
    if key in taken:
        return None
    taken.add(key)
    source = _pick(draw, CAPACITY_SOURCE)
    count, updated = draw(st.integers(0, 30)), draw(st.sampled_from(CAPACITY_DATES))
    pools = {"capacity-type": CAPACITY_TYPE, "capacity-status": CAPACITY_STATUS,
             "temporality-capacity": TEMPORALITY, "temporary-assignement": ASSIGNMENT,
             "gender-capacity-available": GENDER, "capacity-closing-type": CLOSING}
    for name, code in drawn.items():
        w.token("Location", name, pools[name].system, code)
    w.token("Location", "capacity-source", CAPACITY_SOURCE.system, source)
    parts = [_sub(CAPACITY_FIELDS[name], valueCodeableConcept=pools[name].coding(code))
             for name, code in drawn.items()]
    parts += [_sub("nbCapacity", valueInteger=count),
              _sub("capacitySourceType", valueCodeableConcept=CAPACITY_SOURCE.coding(source)),
              _sub("capacityUpdateDate", valueDateTime=updated)]
    w.element("capacity", {**drawn, "nb-capacity": str(count), "capacity-update-date": updated})
    return _ext("ror-location-supported-capacity", extension=draw(st.permutations(parts)))


def _equipment(draw: st.DrawFn, w: World) -> Json:
    parts = [_sub("equipmentType", valueCodeableConcept=_coded(
        draw, w, "Location", "equipment-type", EQUIPMENT))]
    for _ in range(draw(st.sampled_from((0, 1, 2, 2)))):
        unit = draw(st.sampled_from(("kg", "kg", "kg", "g")))
        value = draw(st.sampled_from(LIMITS_KG)) * (1000 if unit == "g" else 1)
        feature = _coded(draw, w, "Location", "equipment-feature", FEATURE)
        w.element("equipment", {
            "equipment-type": parts[0]["valueCodeableConcept"]["coding"][0]["code"],
            "equipment-feature": feature["coding"][0]["code"],
            "limit-value": f"{value}|{UCUM}|{unit}"})
        parts.append(_ext("ror-location-equipment-limit", extension=[
            _sub("equipmentFeature", valueCodeableConcept=feature),
            _sub("limitValue", valueQuantity={"value": value, "unit": unit, "system": UCUM,
                                              "code": unit})]))
    return _ext("ror-location-equipment", extension=parts)


def _location(draw: st.DrawFn, w: World, rid: str, orgs: Sequence[str],
              places: Sequence[str]) -> Json:
    commune = draw(st.sampled_from(COMMUNES))
    name = draw(st.sampled_from(PLACE_NAMES))
    w.text("Location", "name", name)
    w.text("Location", "address-city", commune.name)
    w.text("Location", "address-postalcode", commune.postal_code)
    w.token("Location", "commune-cog", COMMUNE_SYSTEM, commune.code)
    w.token("Location", "departement", DEPARTEMENT_SYSTEM, commune.departement)
    w.token("Location", "region", REGION_TAG, commune.region)
    street = draw(st.sampled_from(STREETS))
    w.text("Location", "address", street)
    extensions = [_ext("ror-commune-cog", valueCodeableConcept={"coding": [
        {"system": COMMUNE_SYSTEM, "code": commune.code, "display": commune.name}]})]
    taken: set[tuple[str, ...]] = set()
    extensions += [e for _ in range(draw(st.integers(0, 3)))
                   if (e := _capacity(draw, w, taken)) is not None]
    extensions += [_equipment(draw, w) for _ in range(draw(st.integers(0, 2)))]
    body: Json = {
        "resourceType": "Location", "id": rid, "extension": extensions, "name": name,
        "address": {"line": [street], "city": commune.name, "postalCode": commune.postal_code},
        "managingOrganization": {"reference": draw(st.sampled_from(orgs))},
    }
    if draw(st.integers(0, 4)) > 0:
        body["status"] = draw(st.sampled_from(("active", "active", "suspended", "inactive")))
    if draw(st.integers(0, 3)) == 0:
        alias = draw(st.sampled_from(PLACE_ALIASES))
        w.text("Location", "name", alias)
        body["alias"] = [alias]
    if draw(st.booleans()):
        body["type"] = [_coded(draw, w, "Location", "type", PLACE_FUNCTION)]
    if draw(st.integers(0, 4)) > 0:
        dlat = draw(st.integers(-20000, 20000)) / 100000
        dlon = draw(st.integers(-20000, 20000)) / 100000
        body["position"] = {"latitude": round(commune.lat + dlat, 5),
                            "longitude": round(commune.lon + dlon, 5)}
        w.positions.append((body["position"]["latitude"], body["position"]["longitude"]))
    if places and draw(st.integers(0, 3)) == 0:
        body["partOf"] = {"reference": draw(st.sampled_from(places))}
    return body


def _patient_type(draw: st.DrawFn, w: World) -> Json:
    parts = [_sub("supportedPatientInfo", valueCodeableConcept=_coded(
        draw, w, "HealthcareService", "patient-type", PUBLIC))
        for _ in range(draw(st.integers(0, 2)))]
    low = draw(st.sampled_from((0, 0, 3, 16, 18, 60)))
    high = low + draw(st.sampled_from((2, 15, 47, 100)))
    parts.append(_sub("ageRange", valueRange={
        "low": {"value": low, "unit": "a", "system": UCUM, "code": "a"},
        "high": {"value": high, "unit": "a", "system": UCUM, "code": "a"}}))
    ages = {"age-range-low": f"{low}|{UCUM}|a", "age-range-high": str(high)}
    w.element("patient", ages)
    for part in parts[:-1]:
        w.element("patient", {**ages, "patient-type": part["valueCodeableConcept"]["coding"][0][
            "code"]})
    return _ext("ror-healthcareservice-patient-type", extension=parts)


def _offer(draw: st.DrawFn, w: World, rid: str, orgs: Sequence[str],
           places: Sequence[str]) -> Json:
    name = draw(st.sampled_from(OFFER_NAMES))
    w.text("HealthcareService", "name", name)
    characteristic = [_coded(draw, w, "HealthcareService", "characteristic", CARE_MODE)]
    if draw(st.booleans()):
        characteristic.append(_coded(draw, w, "HealthcareService", "characteristic", WELCOME))
    extensions = [_ext("ror-healthcareservice-sensitive-unit", valueBoolean=False)]
    extensions.append(_patient_type(draw, w))
    body: Json = {
        "resourceType": "HealthcareService", "id": rid, "extension": extensions,
        "providedBy": {"reference": draw(st.sampled_from(orgs))}, "name": name,
        "type": [_coded(draw, w, "HealthcareService", "service-type", FIELD)],
        "specialty": [_coded(draw, w, "HealthcareService", "specialty", SPECIALTY)],
        "characteristic": characteristic,
    }
    if draw(st.booleans()):
        body["category"] = [_coded(draw, w, "HealthcareService", "service-category", CATEGORY)]
    if draw(st.integers(0, 3)) > 0:
        body["active"] = draw(st.booleans())
    refs = draw(st.lists(st.sampled_from(places), max_size=2, unique=True)) if places else []
    if refs:
        body["location"] = [{"reference": r} for r in refs]
    if draw(st.integers(0, 2)) == 0:
        start, end = draw(st.sampled_from(CLOSING_PERIODS))
        during = {k: v for k, v in (("start", start), ("end", end)) if v}
        body["notAvailable"] = [{"id": "closingReopeningDate", "description": "Travaux",
                                 "during": during}]
    return body


def _practitioner(draw: st.DrawFn, w: World, rid: str) -> Json:
    family, given = draw(st.sampled_from(FAMILIES)), draw(st.sampled_from(GIVENS))
    number = draw(st.sampled_from(RPPS_NUMBERS))
    w.token("Practitioner", "identifier", RPPS, number)
    w.text("Practitioner", "family", family)
    w.text("Practitioner", "given", given)
    w.text("Practitioner", "name", family)
    w.text("Practitioner", "name", given)
    name: Json = {"family": family, "given": [given]}
    if draw(st.booleans()):
        name["prefix"] = ["Dr"]
        w.text("Practitioner", "name", "Dr")
    return {"resourceType": "Practitioner", "id": rid,
            "identifier": [{"system": RPPS, "value": number}], "name": [name]}


def _role(draw: st.DrawFn, w: World, rid: str, people: Sequence[str], offers: Sequence[str],
          orgs: Sequence[str]) -> Json:
    body: Json = {
        "resourceType": "PractitionerRole", "id": rid,
        "extension": [_ext("ror-practitionerrole-unit-exercise-mode", valueCodeableConcept=Pool(
            tre("TRE_R23-ModeExercice"), ()).coding("L"))],
        "practitioner": {"reference": draw(st.sampled_from(people))},
        "healthcareService": [{"reference": draw(st.sampled_from(offers))}],
    }
    if draw(st.booleans()):
        body["code"] = [_coded(draw, w, "PractitionerRole", "role", PROFESSION)]
    how = draw(st.integers(0, 3))
    if how in (1, 2):
        body["organization"] = {"reference": draw(st.sampled_from(orgs))}
    elif how == 3:  # a logical reference: the organization's FINESS number only
        finess = draw(st.sampled_from(FINESS_NUMBERS))
        w.token("PractitionerRole", "organization:identifier", FINESS, finess)
        body["organization"] = {"identifier": {"system": FINESS, "value": finess}}
    return body


def _put(draw: st.DrawFn, w: World, make: Callable[..., Json], *args: Any) -> str:
    """Write ``make(draw, w, *args)``; one time in five write it first in another random
    shape (the write is then an update, which must replace every index row)."""
    if draw(st.integers(0, 4)) == 0:
        w.add(make(draw, w, *args))
    return w.add(make(draw, w, *args))


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A valid world of about 30 to 70 live resources, a few more deleted."""
    w = World()
    orgs: list[str] = []
    for e in range(draw(st.integers(2, 3))):
        legal = _put(draw, w, _organization, f"ej-{e}", None)
        orgs.append(legal)
        for s in range(draw(st.integers(1, 2))):
            site = _put(draw, w, _organization, f"eg-{e}-{s}", legal)
            orgs.append(site)
            orgs += [_put(draw, w, _organization, f"uf-{e}-{s}-{u}", site)
                     for u in range(draw(st.integers(0, 2)))]
    places: list[str] = []
    for i in range(draw(st.integers(8, 16))):
        places.append(_put(draw, w, _location, f"loc-{i}", orgs, list(places)))
    offers = [_put(draw, w, _offer, f"hs-{i}", orgs, places)
              for i in range(draw(st.integers(8, 18)))]
    people = [_put(draw, w, _practitioner, f"pr-{i}") for i in range(draw(st.integers(2, 5)))]
    for i in range(draw(st.integers(3, 8))):
        _put(draw, w, _role, f"prr-{i}", people, offers, orgs)
    # created, then deleted: nothing refers to them, and they must match nothing
    doomed = [_organization(draw, w, "gone-org", draw(st.sampled_from(orgs))),
              _location(draw, w, "gone-loc", orgs, places),
              _offer(draw, w, "gone-hs", orgs, places),
              _practitioner(draw, w, "gone-pr")]
    for body in doomed:
        w.add(body)
    for body in doomed:
        w.delete(body)
    # the write path numbers offers and places <region>/<n> in order of creation
    for n in range(1, len(offers) + 2):
        w.token("HealthcareService", "identifier", "", f"{REGION}/{n:07d}")
    for n in range(1, len(places) + 2):
        w.token("Location", "identifier", "", f"{REGION}/{n:07d}")
    return w


def example_of(strategy: st.SearchStrategy[World], seed_value: int, tries: int = 5) -> World:
    """A reproducible draw of ``strategy`` outside a test: the largest of the first ``tries``
    examples Hypothesis generates with this seed (the very first ones are the simplest)."""
    found: list[World] = []

    @seed(seed_value)
    @settings(max_examples=tries, database=None, phases=[Phase.generate], deadline=None,
              derandomize=False, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(world: World) -> None:
        found.append(world)

    collect()
    return max(found, key=lambda w: len(w.resources))


# -- queries -----------------------------------------------------------------------------------

Clause = list[tuple[str, str]]
ClauseFn = Callable[[st.DrawFn, World, str], Clause]

#: token parameters by type -> how their values are written ("coded": system|code makes
#: sense; "code": a bare code of a fixed value set; "bool")
TOKEN_PARAMS: dict[str, dict[str, str]] = {
    "Organization": {"identifier": "coded", "type": "coded", "active": "bool",
                     "_tag": "coded"},
    "Location": {"identifier": "coded", "type": "coded", "status": "code",
                 "commune-cog": "coded", "departement": "coded", "region": "coded",
                 "capacity-status": "coded", "capacity-type": "coded",
                 "temporality-capacity": "coded", "gender-capacity-available": "coded",
                 "temporary-assignement": "coded", "equipment-type": "coded",
                 "equipment-feature": "coded", "_tag": "coded"},
    "HealthcareService": {"identifier": "coded", "specialty": "coded",
                          "service-category": "coded", "service-type": "coded",
                          "characteristic": "coded", "patient-type": "coded", "active": "bool"},
    "Practitioner": {"identifier": "coded"},
    "PractitionerRole": {"role": "coded", "identifier": "coded"},
}
STRING_PARAMS: dict[str, tuple[str, ...]] = {
    "Organization": ("name", "address-city", "address-postalcode"),
    "Location": ("name", "address", "address-city", "address-postalcode"),
    "HealthcareService": ("name", "psychiatric-sector"),
    "Practitioner": ("name", "family", "given"),
    "PractitionerRole": (),
}
DATE_PARAMS: dict[str, tuple[str, ...]] = {
    "Organization": ("period-end", "_lastUpdated"),
    "Location": ("capacity-update-date", "_lastUpdated"),
    "HealthcareService": ("notavailable-closing-reopeningdate", "_lastUpdated"),
    "Practitioner": ("_lastUpdated",),
    "PractitionerRole": ("_lastUpdated",),
}
NUMBER_PARAMS: dict[str, tuple[str, ...]] = {
    "Location": ("nb-capacity",), "HealthcareService": ("age-range-low", "age-range-high"),
}
#: reference parameters: name -> target type
REFERENCES: dict[str, dict[str, str]] = {
    "Organization": {"partof": "Organization"},
    "Location": {"organization": "Organization", "partof": "Location"},
    "HealthcareService": {"organization": "Organization", "location": "Location"},
    "Practitioner": {},
    "PractitionerRole": {"practitioner": "Practitioner", "service": "HealthcareService",
                         "organization": "Organization"},
}
#: who refers to a type: target -> (source type, reference parameter)
REFERRERS: dict[str, tuple[tuple[str, str], ...]] = {
    "Organization": (("Organization", "partof"), ("Location", "organization"),
                     ("HealthcareService", "organization"), ("PractitionerRole", "organization")),
    "Location": (("HealthcareService", "location"), ("Location", "partof")),
    "HealthcareService": (("PractitionerRole", "service"),),
    "Practitioner": (("PractitionerRole", "practitioner"),),
    "PractitionerRole": (),
}
MISSES = ("zz-none", "999")
TYPES = ("Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole")
#: the types queries are about, the richer ones more often
QUERY_TYPES = ("Location", "Location", "Location", "HealthcareService", "HealthcareService",
               "Organization", "Organization", "Practitioner", "PractitionerRole")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def _escape(value: str) -> str:
    r"""Escape what search values treat specially (``,``, ``|``, ``\``, ``$``)."""
    return "".join("\\" + c if c in ",|\\$" else c for c in value)


def _token_pair(draw: st.DrawFn, w: World, rtype: str, name: str) -> tuple[str, str]:
    """(system, code) of a value the world holds, or now and then of one it does not."""
    if name == "_tag":
        return REGION_TAG, draw(st.sampled_from((REGION, "24")))
    if name == "status" and rtype == "Location":
        return "", draw(st.sampled_from(("active", "suspended", "inactive")))
    known = sorted(w.tokens.get((rtype, name), set()))
    if known and draw(st.integers(0, 5)) > 0:
        return draw(st.sampled_from(known))
    return "urn:miss", draw(st.sampled_from(MISSES))


def _token_text(draw: st.DrawFn, w: World, rtype: str, name: str, kind: str) -> str:
    """A token value: ``code``, ``system|code``, ``system|``, ``|code`` or another system."""
    if kind == "bool":
        return draw(st.sampled_from(("true", "false")))
    system, code = _token_pair(draw, w, rtype, name)
    forms = [_escape(code)]
    if kind == "coded":
        forms += [f"{draw(st.sampled_from(('urn:other', SPECIALTY.system)))}|{_escape(code)}",
                  f"{_escape(system)}|{_escape(code)}" if system else f"|{_escape(code)}",
                  f"{_escape(system)}|" if system else _escape(code)]
    return draw(st.sampled_from(forms))


def _values(draw: st.DrawFn, one: Callable[[], str]) -> str:
    return ",".join(one() for _ in range(draw(st.integers(1, 3))))


def token_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    name, kind = draw(st.sampled_from(sorted(TOKEN_PARAMS[rtype].items())))
    how = draw(st.integers(0, 9))
    if how == 0:
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]
    values = _values(draw, lambda: _token_text(draw, w, rtype, name, kind))
    if how in (1, 2):
        return [(f"{name}:not", values)]
    if how == 3 and name == "identifier" and rtype in ("Organization", "Location",
                                                         "HealthcareService"):
        return [("identifier:of-type", _of_type(draw, w, rtype))]
    if how == 4 and kind == "coded" and name not in ("identifier", "_tag"):
        return [(f"{name}:text", _values(draw, lambda: _label_words(draw, w, rtype, name)))]
    return [(name, values)]


def _label_words(draw: st.DrawFn, w: World, rtype: str, name: str) -> str:
    """One or two words (or starts of words) of the label of a code the world uses."""
    labels = sorted(filter(None, (default_terminology().display(system, code)
                                  for system, code in w.tokens.get((rtype, name), set()))))
    label = draw(st.sampled_from(labels)) if labels else "Inconnu"
    found = [x for x in label.replace("'", " ").replace("(", " ").split() if len(x) > 2]
    picked = draw(st.lists(st.sampled_from(found or ["xyz"]), min_size=1, max_size=2))
    text = " ".join(x[:draw(st.integers(3, len(x)))] for x in picked)
    return _escape(_variant(draw, text))


def _of_type(draw: st.DrawFn, w: World, rtype: str) -> str:
    if rtype == "Organization":
        system, value = draw(st.sampled_from(sorted(w.tokens[(rtype, "identifier")])))
        code = "1" if system == FINESS else draw(st.sampled_from(("40", "1")))
        return f"{STRUCTURE_ID_TYPE.system}|{code}|{value}"
    _, value = draw(st.sampled_from(sorted(w.tokens[(rtype, "identifier")])))
    system, code = (OFFER_ID_TYPE, "35") if rtype == "HealthcareService" else (PLACE_ID_TYPE,
                                                                               "25")
    return f"{system}|{code}|{_escape(value)}"


def _text_sample(draw: st.DrawFn, w: World, rtype: str, name: str) -> str:
    known = sorted(w.texts.get((rtype, name), set()))
    if not known or draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(("Secteur 12", "%", "_", "c_b", "0%", "\\")))
    return draw(st.sampled_from(known))


def _variant(draw: st.DrawFn, text: str) -> str:
    """The text as a user might type it: other case, accents or not."""
    how = draw(st.integers(0, 3))
    if how == 1:
        return text.lower()
    if how == 2:
        return _strip_accents(text).upper()
    if how == 3:
        return _strip_accents(text)
    return text


def _string_value(draw: st.DrawFn, text: str, modifier: str) -> str:
    if modifier == "exact":
        return text if draw(st.integers(0, 3)) else _variant(draw, text)
    text = _variant(draw, text)
    start = draw(st.integers(0, max(0, len(text) - 1))) if modifier == "contains" else 0
    end = draw(st.integers(start + 1, len(text)))
    part = text[start:end].strip() or text
    return part if draw(st.integers(0, 7)) else part + "x"


def string_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    name = draw(st.sampled_from(STRING_PARAMS[rtype]))
    modifier = draw(st.sampled_from(("", "", "", "exact", "contains", "missing")))
    if modifier == "missing":
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]
    key = f"{name}:{modifier}" if modifier else name
    return [(key, _values(draw, lambda: _escape(_string_value(
        draw, _text_sample(draw, w, rtype, name), modifier))))]


PREFIXES = ("", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")


def _date_text(draw: st.DrawFn, recent: bool = False) -> str:
    year = draw(st.sampled_from((2025, 2026) if recent else (2023, 2024, 2024, 2025)))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(
        st.integers(0, 59))
    zone = draw(st.sampled_from(("Z", "+02:00", "-05:00", "")))
    forms = [f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}",
             f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{zone}",
             f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{zone}"]
    return draw(st.sampled_from(forms))


def _near_dates(draw: st.DrawFn, name: str) -> str:
    """Dates the world holds, so that eq/ne/ap and the boundaries get exercised."""
    pool: tuple[str, ...] = {
        "capacity-update-date": CAPACITY_DATES, "period-end": PERIOD_ENDS,
        "notavailable-closing-reopeningdate": tuple(
            v for period in CLOSING_PERIODS for v in period if v)}.get(name, ())
    if not pool:
        return _date_text(draw, recent=True)
    return draw(st.sampled_from(pool))


def date_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    name = draw(st.sampled_from(DATE_PARAMS[rtype]))
    if name != "_lastUpdated" and draw(st.integers(0, 9)) == 0:
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]

    def one() -> str:
        prefix = draw(st.sampled_from(PREFIXES))
        text = _near_dates(draw, name) if draw(st.integers(0, 3)) else _date_text(
            draw, recent=name == "_lastUpdated")
        return prefix + text
    return [(name, _values(draw, one))]


def _number_text(draw: st.DrawFn, name: str) -> str:
    prefix = draw(st.sampled_from(PREFIXES))
    if name == "nb-capacity":
        value = draw(st.sampled_from(("0", "3", "10", "15", "30", "2.5", "1e1", "2e1", "10.0",
                                      "1.5e1")))
        return prefix + value
    years = draw(st.sampled_from(("0", "3", "16", "18", "60", "65", "100", "17.5", "1e2",
                                  "2e1")))
    unit = draw(st.sampled_from(("", "|http://unitsofmeasure.org|a", "||a",
                                 "|http://unitsofmeasure.org|mo", "|urn:other|a")))
    if unit.endswith("|mo") and "." not in years and "e" not in years:
        years = str(int(years) * 12)
    return prefix + years + unit


def number_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    name = draw(st.sampled_from(NUMBER_PARAMS[rtype]))
    if draw(st.integers(0, 9)) == 0:
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]
    return [(name, _values(draw, lambda: _number_text(draw, name)))]


def _limit_text(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(PREFIXES))
    kg = draw(st.sampled_from((*LIMITS_KG, 40, 300, 175)))
    unit = draw(st.sampled_from(("", "|http://unitsofmeasure.org|kg", "||kg", "|urn:other|g",
                                 "|http://unitsofmeasure.org|g", "|http://unitsofmeasure.org|t")))
    value: float = kg
    if unit.endswith("|g"):
        value = kg * 1000
    elif unit.endswith("|t"):
        value = kg / 1000
    if draw(st.integers(0, 4)) == 0:  # the precision of 2e2 is ±50
        return f"{prefix}{draw(st.sampled_from(('1e2', '2e2', '2.0e2')))}{unit}"
    return f"{prefix}{value:g}{unit}"


def reference_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    refs = REFERENCES[rtype]
    name = draw(st.sampled_from(sorted(refs)))
    target = refs[name]
    how = draw(st.integers(0, 9))
    if how == 0:
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]
    if how == 1 and rtype == "PractitionerRole" and name == "organization":
        return [("organization:identifier", _values(draw, lambda: _token_text(
            draw, w, rtype, "organization:identifier", "coded")))]

    def one() -> str:
        rid = draw(st.sampled_from([*w.ids(target), "nobody"]))
        return draw(st.sampled_from((rid, f"{target}/{rid}",
                                     f"https://ror.example.org/fhir/{target}/{rid}")))
    key = draw(st.sampled_from((name, f"{name}:{target}")))
    return [(key, _values(draw, one))]


def id_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    ids = draw(st.lists(st.sampled_from([*w.ids(rtype), "nobody"]), min_size=1, max_size=3))
    how = draw(st.integers(0, 5))
    if how in (0, 1):
        name = draw(st.sampled_from(("_id", "_lastUpdated")))
        return [(f"{name}:missing", draw(st.sampled_from(("true", "false"))))]
    return [("_id:not" if how == 2 else "_id", ",".join(ids))]


def profile_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    # :below and :above are refused (400) since 307fa4a (accepted and ignored before)
    profile = SD + "ror-" + rtype.lower()
    value, modifier = draw(st.sampled_from(((profile, ""), (SD + "ror-other", ""),
                                            (profile, "not"))))
    return [(f"_profile:{modifier}" if modifier else "_profile", value)]


def near_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    """Around a commune or around a place of the world (whose neighbours then fall on both
    sides of the circle, and in the corners of its bounding box)."""
    # 20,100 km: beyond half the Earth's circumference, every position (orientation's national)
    km = draw(st.sampled_from((1, 5, 10, 15, 20, 30, 120, 400, 700, 20_100)))
    commune = draw(st.sampled_from(COMMUNES))
    if draw(st.integers(0, 4)) == 0:
        return [("near-insee-code", f"{commune.code}|{km}|km")]
    lat, lon = commune.lat, commune.lon
    if draw(st.booleans()) and w.positions:
        lat, lon = draw(st.sampled_from(w.positions))
    lat = round(lat + draw(st.integers(-100, 100)) / 1000, 4)
    lon = round(lon + draw(st.integers(-100, 100)) / 1000, 4)
    unit = draw(st.sampled_from(("km", "m", "mi", "")))
    if unit == "":
        return [("near", f"{lat}|{lon}|{km}")]
    distance = km * 1000 if unit == "m" else km
    return [("near", f"{lat}|{lon}|{distance}|{unit}")]


def _token_values(draw: st.DrawFn, w: World, rtype: str, name: str) -> str:
    return _values(draw, lambda: _token_text(draw, w, rtype, name, "coded"))


def _held(draw: st.DrawFn, w: World, group: str, most: int) -> Clause | None:
    """Half the time, some values one element of the world holds together (numbers, dates
    and limits with a random prefix): a correlated query that finds something."""
    elements = w.elements.get(group)
    if not elements or draw(st.booleans()):
        return None
    element = draw(st.sampled_from(elements))
    names = draw(st.lists(st.sampled_from(sorted(element)), min_size=2, max_size=most,
                          unique=True))
    ordered = ("nb-capacity", "capacity-update-date", "limit-value", "age-range-low",
               "age-range-high")
    return [(name, (draw(st.sampled_from(PREFIXES)) if name in ordered else "") + element[name])
            for name in names]


def capacity_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    """Several capacity parameters together: they must hold on one capacity record."""
    held = _held(draw, w, "capacity", 4)
    if held is not None:
        return held
    names = draw(st.lists(st.sampled_from((
        "capacity-status", "capacity-type", "temporality-capacity", "gender-capacity-available",
        "nb-capacity", "capacity-update-date")), min_size=2, max_size=4, unique=True))
    out: Clause = []
    for name in names:
        if name == "nb-capacity":
            out.append((name, _number_text(draw, name)))
        elif name == "capacity-update-date":
            out.append((name, draw(st.sampled_from(PREFIXES)) + _near_dates(draw, name)))
        else:
            out.append((name, _token_values(draw, w, rtype, name)))
    return out


def equipment_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    """An equipment type, a limited feature, a limit: what is given must hold on one
    equipment, the feature and the limit on one of its limits."""
    held = _held(draw, w, "equipment", 3)
    if held is not None:
        return held
    out: Clause = []
    if draw(st.integers(0, 3)) > 0:
        out.append(("equipment-type", _token_text(draw, w, rtype, "equipment-type", "coded")))
    if draw(st.integers(0, 3)) > 0:
        out.append(("equipment-feature", _token_text(draw, w, rtype, "equipment-feature",
                                                     "coded")))
    if not out or draw(st.integers(0, 3)) > 0:
        out.append(("limit-value", _limit_text(draw)))
    return draw(st.permutations(out))


def limit_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    return [("limit-value", _values(draw, lambda: _limit_text(draw)))]


def public_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    """A public and ages: they must hold on one patient-type extension."""
    held = _held(draw, w, "patient", 3)
    if held is not None:
        return held
    out: Clause = [("patient-type", _token_text(draw, w, rtype, "patient-type", "coded"))]
    for name in draw(st.lists(st.sampled_from(("age-range-low", "age-range-high")),
                              min_size=1, unique=True)):
        out.append((name, _number_text(draw, name)))
    return draw(st.permutations(out))


def simple_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    """One parameter on the resource itself (or one correlated group), every kind about as
    likely on every type."""
    weights: list[tuple[ClauseFn, int]] = [(token_clause, 4), (date_clause, 3), (id_clause, 1),
                                           (profile_clause, 1)]
    if STRING_PARAMS[rtype]:
        weights.append((string_clause, 4))
    if rtype in NUMBER_PARAMS:
        weights.append((number_clause, 2))
    if REFERENCES[rtype]:
        weights.append((reference_clause, 2))
    if rtype == "Location":
        weights += [(near_clause, 3), (capacity_clause, 4), (equipment_clause, 4),
                    (limit_clause, 1)]
    if rtype == "HealthcareService":
        weights.append((public_clause, 3))
    makers = [maker for maker, weight in weights for _ in range(weight)]
    return draw(st.sampled_from(makers))(draw, w, rtype)


def chain_clause(draw: st.DrawFn, w: World, rtype: str, depth: int = 0) -> Clause:
    """``ref[:Type|:above].param=value``, the inner parameter on the target type."""
    refs = REFERENCES[rtype]
    if not refs:
        return simple_clause(draw, w, rtype)
    name = draw(st.sampled_from(sorted(refs)))
    target = refs[name]
    modifier = draw(st.sampled_from(("", f":{target}", ":above" if target == "Organization"
                                     else "")))
    head = f"{name}{modifier}"
    if modifier == ":above" and draw(st.booleans()):
        inner = [("identifier", _token_text(draw, w, target, "identifier", "coded"))]
    elif depth == 0 and REFERENCES[target] and draw(st.integers(0, 4)) == 0:
        inner = chain_clause(draw, w, target, depth + 1)
    else:
        inner = simple_clause(draw, w, target)
    return [(f"{head}.{key}", value) for key, value in inner]


def has_clause(draw: st.DrawFn, w: World, rtype: str, depth: int = 0) -> Clause:
    """``_has:Source:ref:param=value``; the inner parameter may be chained or itself a
    ``_has``."""
    if rtype == "HealthcareService" and draw(st.integers(0, 2)) == 0:
        return [("_has:PractitionerRole:service:practitioner.identifier",
                 _token_text(draw, w, "Practitioner", "identifier", "coded"))]
    sources = REFERRERS[rtype]
    if not sources:
        return simple_clause(draw, w, rtype)
    source, name = draw(st.sampled_from(sources))
    how = draw(st.integers(0, 5))
    if how == 0 and depth == 0:
        inner = has_clause(draw, w, source, depth + 1)
    elif how == 1:
        inner = chain_clause(draw, w, source, 1)
    else:
        inner = simple_clause(draw, w, source)
    return [(f"_has:{source}:{name}:{key}", value) for key, value in inner]


# -- _filter ----------------------------------------------------------------------------------

def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _token_comparison(draw: st.DrawFn, w: World, rtype: str, chain: str) -> str:
    name, how = draw(st.sampled_from(sorted(TOKEN_PARAMS[rtype].items())))
    if draw(st.integers(0, 9)) == 0:
        return f"{chain}{name} pr {draw(st.sampled_from(('true', 'false')))}"
    op = draw(st.sampled_from(("eq", "eq", "ne")))
    return f"{chain}{name} {op} {_quoted(_token_text(draw, w, rtype, name, how))}"


def _string_comparison(draw: st.DrawFn, w: World, rtype: str, chain: str) -> str:
    name = draw(st.sampled_from(STRING_PARAMS[rtype]))
    op = draw(st.sampled_from(("eq", "sw", "co", "ew")))
    text = _variant(draw, _text_sample(draw, w, rtype, name))
    if op == "sw":
        text = text[:draw(st.integers(1, len(text)))]
    elif op == "ew":
        text = text[draw(st.integers(0, len(text) - 1)):]
    elif op == "co":
        start = draw(st.integers(0, len(text) - 1))
        text = text[start:draw(st.integers(start + 1, len(text)))]
    return f"{chain}{name} {op} {_quoted(_escape(text.strip() or text))}"


def _number_comparison(draw: st.DrawFn, w: World, rtype: str, chain: str) -> str:
    name = draw(st.sampled_from(NUMBER_PARAMS[rtype]))
    text = _number_text(draw, name)
    op = text[:2] if text[:2] in PREFIXES else "eq"
    return f"{chain}{name} {op} {text.removeprefix(op)}"


def _date_comparison(draw: st.DrawFn, w: World, rtype: str, chain: str) -> str:
    name = draw(st.sampled_from([n for n in DATE_PARAMS[rtype] if n != "_lastUpdated"]))
    op = draw(st.sampled_from(PREFIXES[1:]))
    return f"{chain}{name} {op} {_near_dates(draw, name)}"


def _comparison(draw: st.DrawFn, w: World, rtype: str, chain: str = "") -> str:
    """``path op value`` on the type, or through one of its references."""
    if REFERENCES[rtype] and not chain and draw(st.integers(0, 5)) == 0:
        name = draw(st.sampled_from(sorted(REFERENCES[rtype])))
        return _comparison(draw, w, REFERENCES[rtype][name], f"{name}.")
    kinds = [_token_comparison, _token_comparison]
    if any(n != "_lastUpdated" for n in DATE_PARAMS[rtype]):
        kinds.append(_date_comparison)
    if STRING_PARAMS[rtype]:
        kinds += [_string_comparison, _string_comparison]
    if rtype in NUMBER_PARAMS:
        kinds.append(_number_comparison)
    return draw(st.sampled_from(kinds))(draw, w, rtype, chain)


def _filter_expression(draw: st.DrawFn, w: World, rtype: str, depth: int) -> str:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return _comparison(draw, w, rtype)
    how = draw(st.sampled_from(("and", "or", "not")))
    if how == "not":
        return f"not ({_filter_expression(draw, w, rtype, depth + 1)})"
    items = [_filter_expression(draw, w, rtype, depth + 1)
             for _ in range(draw(st.integers(2, 3)))]
    joined = f" {how} ".join(items)
    return f"({joined})" if depth else joined


def filter_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    return [("_filter", _filter_expression(draw, w, rtype, 0))]


# -- whole queries ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Search:
    rtype: str
    pairs: Pairs

    def __str__(self) -> str:
        return f"{self.rtype}?" + "&".join(f"{k}={v}" for k, v in self.pairs)


def _query(draw: st.DrawFn, w: World, makers: Sequence[ClauseFn], most: int) -> Search:
    rtype = draw(st.sampled_from(QUERY_TYPES))
    pairs: Clause = []
    for _ in range(draw(st.integers(1, most))):
        pairs += draw(st.sampled_from(makers))(draw, w, rtype)
    return Search(rtype, tuple(pairs))


def single_queries(w: World) -> st.SearchStrategy[Search]:
    """One parameter (or one correlated group) on the resource."""
    return st.composite(lambda draw: _query(draw, w, [simple_clause], 1))()


def combined_queries(w: World) -> st.SearchStrategy[Search]:
    """Repeated parameters (AND) of every kind, chains and reverse chains."""
    return st.composite(lambda draw: _query(
        draw, w, [simple_clause, simple_clause, chain_clause, has_clause], 3))()


def reference_queries(w: World) -> st.SearchStrategy[Search]:
    """Chains (also two levels, typed and :above) and ``_has``."""
    return st.composite(lambda draw: _query(draw, w, [chain_clause, has_clause], 2))()


def filter_queries(w: World) -> st.SearchStrategy[Search]:
    """``_filter`` with and / or / not, alone or beside ordinary parameters."""
    return st.composite(lambda draw: _query(
        draw, w, [filter_clause, filter_clause, simple_clause], 2))()


def last_updated_values(stamp: str) -> list[str]:
    """``_lastUpdated`` values around a stored ``meta.lastUpdated`` (an instant with
    microseconds): the same instant, and cut to the second, minute, day, month and year, also
    written in another time zone. The writes of a world take a fraction of a second, so the
    finer ones split it."""
    moment = datetime.fromisoformat(stamp).astimezone(UTC)
    paris = moment.astimezone(timezone(timedelta(hours=2)))
    exact = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return [stamp, exact + "Z", paris.isoformat(timespec="microseconds"),
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"), paris.isoformat(timespec="seconds"),
            moment.strftime("%Y-%m-%dT%H:%MZ"), moment.strftime("%Y-%m-%d"),
            moment.strftime("%Y-%m"), moment.strftime("%Y"),
            (moment + timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            (moment - timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")]


def _group_clause(draw: st.DrawFn, w: World, rtype: str) -> Clause:
    if rtype == "Location" and draw(st.integers(0, 7)) > 0:
        return draw(st.sampled_from((capacity_clause, equipment_clause, near_clause)))(
            draw, w, rtype)
    if rtype == "HealthcareService" and draw(st.booleans()):
        return public_clause(draw, w, rtype)
    inner = draw(st.sampled_from((capacity_clause, equipment_clause, near_clause)))(
        draw, w, "Location")
    head = "location" if rtype == "HealthcareService" else "partof"
    return [(f"{head}.{key}", value) for key, value in inner]


def offer_capacity_queries(w: World) -> st.SearchStrategy[Search]:
    """Offers of an activity with a capacity record at one of their places (one capacity
    parameter or several together), sometimes beside another parameter: the ROR's
    correlated capacity search, read from the offers' capacity rows."""
    def draw_query(draw: st.DrawFn) -> Search:
        rtype = "HealthcareService"
        capacity = capacity_clause(draw, w, "Location")
        if draw(st.integers(0, 3)) == 0:
            capacity = capacity[:1]
        pairs = [("specialty", _token_values(draw, w, rtype, "specialty")),
                 *((f"location.{key}", value) for key, value in capacity)]
        if draw(st.integers(0, 2)) == 0:
            pairs += simple_clause(draw, w, rtype)
        return Search(rtype, tuple(draw(st.permutations(pairs))))
    return st.composite(draw_query)()


def group_queries(w: World) -> st.SearchStrategy[Search]:
    """Correlated groups (capacity, equipment and its limits, public), directly or through
    ``location.``, and ``near``, sometimes two of them or beside another parameter."""
    def draw_query(draw: st.DrawFn) -> Search:
        rtype = draw(st.sampled_from(("Location", "Location", "HealthcareService")))
        pairs = _group_clause(draw, w, rtype)
        if draw(st.integers(0, 2)) == 0:
            pairs += draw(st.sampled_from((_group_clause, simple_clause)))(draw, w, rtype)
        return Search(rtype, tuple(pairs))
    return st.composite(draw_query)()
