"""``openror import rpps PATH…``: liberal offers from the RPPS open-data extraction.

As the ROR's "adossement à l'Annuaire": every professional of ``PS_LibreAcces_Personne_activite``
becomes a Practitioner; every *liberal* activity with a practice site becomes an elementary
offer of the "offre de ville" (SPEC §5.2): cabinet (EG) + place + offer + role. Salaried and
volunteer activities are described by their establishments, not by the registry: skipped.

See docs/admin/import-rpps.md for the mapping, the owned fields and the closure rules.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from openror.fhir import profiles as p
from openror.fhir.nos_systems import TRE_R13
from openror.importers import rpps_resources as fhir
from openror.importers.base import Key, Record, Reject
from openror.importers.rpps_format import Row, read_rows
from openror.importers.rpps_mapping import SPECIALTY_TYPE, operational_activity
from openror.importers.rpps_rows import (
    LIBERAL,
    Person,
    Practice,
    exercise_mode,
    read_person,
    read_practice,
)
from openror.terminology import Terminology, default_terminology

#: Scope of practitioners: the registry is national and a person may practise anywhere.
NATIONAL_SCOPE = "FR"


class CommuneLike(Protocol):
    @property
    def code(self) -> str: ...


class GazetteerLike(Protocol):
    """What the source needs from ``openror.geo``'s gazetteer."""

    def point(self, commune_code: str) -> tuple[float, float] | None: ...

    def find(self, postal_code: str | None, city: str) -> CommuneLike | None: ...

# What the registry owns (replaced on re-import); the rest is seeded once and then belongs to
# the professional's guided entry (name of the offer, activities, care modes, age range…).
OWNED_PRACTITIONER = frozenset({"identifier", "active", "name", "qualification"})
OWNED_SITE = frozenset({"identifier", "active", "name", "address", "type"})
OWNED_PLACE = frozenset({"identifier", "status", "address", "position", "managingOrganization"})
OWNED_PLACE_EXTENSIONS = frozenset({p.EXT_COMMUNE_COG})
OWNED_OFFER = frozenset({"providedBy", "type"})
OWNED_ROLE = frozenset({"identifier", "active", "practitioner", "healthcareService",
                        "organization", "location"})
OWNED_ROLE_EXTENSIONS = frozenset({p.EXT_EXERCISE_MODE})

CLOSING_SLICE = "closingReopeningDate"
CLOSING_DESCRIPTION = "Période de fermeture et de réouverture prévisionnelle"


@dataclass
class _PersonSeen:
    line: int
    person: Person
    skills: dict[str, str] = field(default_factory=dict)  # spécialité code -> label


@dataclass
class _State:
    """What one parse has seen: for de-duplication, and the practitioners to emit last."""

    persons: dict[str, _PersonSeen] = field(default_factory=dict)
    activities: dict[tuple[str, ...], int] = field(default_factory=dict)
    offers: set[Key] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)


class RppsSource:
    name = "rpps"
    provenance = "registry"

    def __init__(self, terminology: Terminology | None = None,
                 gazetteer: GazetteerLike | None = None,
                 today: Callable[[], date] = date.today) -> None:
        self.terminology = terminology or default_terminology()
        self._gazetteer = gazetteer
        self._today = today
        #: counts of the last parse, for the import report (see ``docs/admin/import-rpps.md``)
        self.stats: Counter[str] = Counter()

    # --- parse ----------------------------------------------------------------------------

    def parse(self, paths: Sequence[Path]) -> Iterator[Record | Reject]:
        self.stats = Counter()
        state = _State()
        for path in paths:
            for item in read_rows(path):
                if isinstance(item, Reject):
                    self.stats["rejected lines"] += 1
                    yield item
                    continue
                for out in self._line(item, state):
                    self._count(out)
                    yield out
        for seen in sorted(state.persons.values(), key=lambda s: s.line):
            yield self._count(self._practitioner(seen))

    def _count(self, out: Record | Reject) -> Record | Reject:
        if isinstance(out, Reject):
            self.stats["rejected lines"] += 1
        else:
            self.stats[out.type] += 1
        return out

    def _line(self, row: Row, state: _State) -> Iterator[Record | Reject]:
        person = read_person(row)
        if isinstance(person, Reject):
            yield person
            return
        mode = exercise_mode(row)
        if isinstance(mode, Reject):
            yield mode
            return
        duplicate = self._duplicate(row, person, mode, state)
        if duplicate is not None:
            yield duplicate
            return
        self._remember(row.line, person, state)
        if mode != LIBERAL:
            self.stats[f"skipped activities ({mode or 'none'})"] += 1
            return
        practice = read_practice(row, self._find_commune)
        if practice is None:
            self.stats["skipped liberal activities without a practice site"] += 1
            return
        if isinstance(practice, Reject):
            yield practice
            return
        yield from self._practice(row.line, person, practice, state)

    @staticmethod
    def _duplicate(row: Row, person: Person, mode: str, state: _State) -> Reject | None:
        identity = (person.idnat, person.profession, mode,
                    row["Identifiant technique de la structure"], person.skill_type,
                    person.skill)
        first = state.activities.setdefault(identity, row.line)
        if first == row.line:
            return None
        return Reject(row.line, "line", f"duplicate of line {first} (same professional, same "
                      "activity)")

    @staticmethod
    def _remember(line: int, person: Person, state: _State) -> None:
        seen = state.persons.setdefault(person.idnat, _PersonSeen(line, person))
        if person.skill_type == SPECIALTY_TYPE and person.skill:
            seen.skills.setdefault(person.skill, person.skill_label)

    def _practice(self, line: int, person: Person, practice: Practice, state: _State
                  ) -> Iterator[Record | Reject]:
        key = fhir.offer_key(person, practice)
        if key in state.offers:
            # Same professional, same site, another savoir-faire: one offer per practice;
            # the savoir-faire only adds to the practitioner's qualifications.
            self.stats["merged lines (same professional and site)"] += 1
            return
        activity = operational_activity(person.profession, person.skill_type, person.skill)
        if activity.code is None:
            yield Reject(line, "Code savoir-faire" if person.skill else "Code profession",
                         activity.problem)
            return
        if not self._commune_known(practice.commune):
            yield Reject(line, "Code commune (coord. structure)", f"unknown commune code "
                         f"{practice.commune!r} (INSEE COG, JDV_J124)")
            return
        state.offers.add(key)
        yield from self._site_and_place(line, person, practice, state)
        label = self.terminology.display(fhir.TRE_R211, activity.code) or activity.code
        yield Record(line, fhir.offer(person, practice, activity.code, label), key, OWNED_OFFER,
                     scope=practice.department)
        yield Record(line, fhir.role(person, practice), fhir.role_key(person, practice),
                     OWNED_ROLE, OWNED_ROLE_EXTENSIONS, scope=practice.department)

    def _commune_known(self, commune: str) -> bool:
        return self.terminology.check("JDV_J124", TRE_R13, commune).status == "ok"

    def _site_and_place(self, line: int, person: Person, practice: Practice, state: _State
                        ) -> Iterator[Record]:
        """The cabinet and its place, once per structure (the first line describes them)."""
        if practice.key_value in state.sites:
            return
        state.sites.add(practice.key_value)
        name = practice.name or person.cabinet_name
        if not practice.finess:  # a FINESS site is the FINESS source's establishment
            yield Record(line, fhir.site(person, practice), fhir.site_key(practice), OWNED_SITE,
                         rank=1, scope=practice.department)
        yield Record(line, fhir.place(practice, name, self._point(practice.commune)),
                     fhir.place_key(practice), OWNED_PLACE, OWNED_PLACE_EXTENSIONS,
                     scope=practice.department)

    @property
    def gazetteer(self) -> GazetteerLike:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    def _point(self, commune: str) -> tuple[float, float] | None:
        return self.gazetteer.point(commune)

    def _find_commune(self, postal_code: str, city: str) -> str | None:
        if not (postal_code or city):
            return None
        found = self.gazetteer.find(postal_code or None, city)
        return found.code if found is not None else None

    def _practitioner(self, seen: _PersonSeen) -> Record:
        resource = fhir.practitioner(seen.person, sorted(seen.skills.items()))
        return Record(seen.line, resource, fhir.practitioner_key(seen.person),
                      OWNED_PRACTITIONER, scope=NATIONAL_SCOPE)

    # --- reconciliation -------------------------------------------------------------------

    def key_systems(self) -> frozenset[str]:
        return frozenset({p.SYSTEM_IDNATPS, fhir.SYSTEM_SITE, fhir.SYSTEM_PLACE,
                          fhir.SYSTEM_OFFER, fhir.SYSTEM_ROLE})

    def scope_of_key(self, key: Key) -> str:
        """Site and place values are ``<dept>/<structure>``, offer and role values
        ``<idNatPS>/<dept>/<structure>``; practitioners are national."""
        parts = key.value.split("/")
        if key.system in (fhir.SYSTEM_SITE, fhir.SYSTEM_PLACE):
            return parts[0]
        if key.system in (fhir.SYSTEM_OFFER, fhir.SYSTEM_ROLE):
            return parts[1] if len(parts) > 2 else ""
        return NATIONAL_SCOPE if key.system == p.SYSTEM_IDNATPS else ""

    def close(self, resource: dict[str, Any]) -> dict[str, Any] | None:
        """Vanished from the registry: close, never delete (history, anomalies and references
        stay valid). None when it is already closed."""
        rtype = resource.get("resourceType")
        if rtype == "HealthcareService":
            return self._close_offer(resource)
        if rtype == "Location":
            return _with(resource, "status", "inactive")
        if rtype in ("Practitioner", "PractitionerRole", "Organization"):
            return _with(resource, "active", False)
        return None

    def _close_offer(self, offer: dict[str, Any]) -> dict[str, Any] | None:
        for period in offer.get("notAvailable") or []:
            during = period.get("during") or {} if isinstance(period, dict) else {}
            if during.get("start") and not during.get("end"):
                return None  # already closed with no reopening planned
        closed = copy.deepcopy(offer)
        # notAvailable is 0..1 in the ROR: the closure replaces a past or planned period
        closed["notAvailable"] = [{"id": CLOSING_SLICE, "description": CLOSING_DESCRIPTION,
                                   "during": {"start": self._today().isoformat()}}]
        return closed


def _with(resource: dict[str, Any], element: str, value: Any) -> dict[str, Any] | None:
    if resource.get(element) == value:
        return None
    closed = copy.deepcopy(resource)
    closed[element] = value
    return closed


def default_gazetteer() -> GazetteerLike:
    """The gazetteer of this process (``openror.geo.current_gazetteer``: the bundle, with the
    database's imported geography on top once the services opened); tests pass their own."""
    from openror.geo import current_gazetteer

    return current_gazetteer()
