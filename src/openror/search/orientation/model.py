"""What the orientation stages hand to each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]


def french_number(x: float) -> str:
    """A number as the explanations write it: ``2.5`` → ``2,5``, ``200.0`` → ``200``."""
    return f"{x:g}".replace(".", ",")


def french_km(km: float) -> str:
    """A distance as the explanations and pages write it: one decimal, ``3.24`` → ``3,2``."""
    return f"{km:.1f}".replace(".", ",")


@dataclass(frozen=True)
class Coded:
    """A code the need asks for, with its NOS label (shown in explanations)."""

    code: str
    label: str


@dataclass(frozen=True)
class EquipmentNeed:
    """Equipment one of the offer's places must have in service (TRE_R212: any of them),
    and, with ``min_kg``, whose maximum weight (TRE_R340 ``001``) reaches it."""

    kinds: tuple[Coded, ...]
    min_kg: float | None = None


@dataclass(frozen=True)
class Need:
    activities: tuple[Coded, ...] = ()  # TRE_R211: any of them (none: equipment says it)
    care_modes: tuple[Coded, ...] = ()  # TRE_R213: any of them (hard when asked)
    expertise: tuple[Coded, ...] = ()  # TRE_R253/R344 (maternity type…): any of them, hard
    words: tuple[str, ...] = ()  # free-text words no code took: soft, matched on names
    age: float | None = None  # years
    sex: str | None = None  # "female" or "male"
    acts: tuple[Coded, ...] = ()  # TRE_R210 specific acts: any of them, hard
    publics: tuple[Coded, ...] = ()  # TRE_R239 publics: any of them (or « tout public »), hard
    equipment: EquipmentNeed | None = None  # hard, on the offer's places
    open_now: bool = False  # hard: open now by its hours (unknown hours fail)


@dataclass(frozen=True)
class Where:
    lat: float
    lon: float
    departement: str | None
    label: str  # how the location was understood, for the answer


@dataclass(frozen=True)
class Availability:
    available: int | None  # current available beds/places; None: the places give no figure
    updated: datetime | None  # the oldest of those figures
    stale: bool


@dataclass(frozen=True)
class Opening:
    """When the offer receives patients, from its ``availableTime``."""

    open_now: bool | None  # None: the offer gives no hours
    next_opening: datetime | None  # when closed now and the hours say when it opens next
    text: str  # French: « ouvert jusqu'à 19 h », « fermé, ouvre lundi à 8 h 30 »…
    until: datetime | None = None  # when open now: when it closes (None: 24 h/24)
    # the datetimes are aware, in the offer's time zone (Europe/Paris, or overseas)


@dataclass(frozen=True)
class Contact:
    """A way to reach the offer that the caller may see (the read policy already removed
    the others)."""

    system: str  # FHIR ContactPoint.system: phone, email, fax, url…
    value: str
    label: str  # French: who it is for (« secrétariat », « pour les professionnels »…)


@dataclass
class Candidate:
    id: str
    body: Json
    distance_km: float | None
    places: list[Json] = field(default_factory=list)


@dataclass(frozen=True)
class Dropped:
    id: str
    stage: str  # "filters"
    criterion: str  # "age", "careMode", "expertise", "act", "public", "equipment", "openNow"…
    reason: str  # French, for people


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    proximity: float
    fit: float
    availability: Availability
    availability_score: float
    matched_words: tuple[str, ...] = ()
    opening: Opening | None = None  # filled for the results (pipeline.orient)
    contacts: tuple[Contact, ...] = ()
