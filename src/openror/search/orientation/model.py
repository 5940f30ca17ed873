"""What the orientation stages hand to each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Coded:
    """A code the need asks for, with its NOS label (shown in explanations)."""

    code: str
    label: str


@dataclass(frozen=True)
class Need:
    activities: tuple[Coded, ...] = ()  # TRE_R211: any of them
    care_modes: tuple[Coded, ...] = ()  # TRE_R213: any of them (hard when asked)
    expertise: tuple[Coded, ...] = ()  # TRE_R253/R344 (maternity type…): any of them, hard
    words: tuple[str, ...] = ()  # free-text words no code took: soft, matched on names
    age: float | None = None  # years
    sex: str | None = None  # "female" or "male"


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
    criterion: str  # "age", "careMode", "expertise", "active", "closed"
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
