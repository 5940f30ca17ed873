"""Stage 4, rank: a score from 0 to 1 for each candidate that passed the filters.

    score = 0.5 × proximity + 0.3 × fit + 0.2 × availability

- proximity = 1 / (1 + distance / d₀), d₀ the first search radius (1 at the patient, ½ at
  d₀): what is near in Paris is nearer than what is near in Lozère.
- fit = the share of the free-text words no code took (« pédiatrique » in « kiné
  pédiatrique ») found in the offer's name or comment; 1 when there are none.
- availability, from the current available beds/places of the offer's places (for the
  patient's sex when given): 1 some available and fresh · 0.5 some available but stale ·
  0.25 no figure · 0.1 none available but stale · 0 none available and fresh.
Ties: nearer first, then by id (a stable order).
"""

from __future__ import annotations

from datetime import datetime

from openror.fhir import capacity_indicators as ci
from openror.search.orientation.analyse import normalise, same_word
from openror.search.orientation.filters import Check
from openror.search.orientation.model import Availability, Candidate, Json, Need, Ranked
from openror.store.capacity_history import moment
from openror.store.freshness import FRESHNESS_URL

WEIGHTS = {"proximity": 0.5, "fit": 0.3, "availability": 0.2}
_GENDERS = {"female": "01", "male": "02"}


def availability(places: list[Json], sex: str | None) -> Availability:
    count: int | None = None
    dates: list[datetime] = []
    stale = False
    other = {"01": "02", "02": "01"}.get(_GENDERS.get(sex or "", ""))
    for place in places:
        for _, record in ci.records(place):
            codes = record.codes
            if codes.get("capacityStatus") != ci.AVAILABLE or \
                    codes.get("temporalityCapacity") != ci.CURRENT or \
                    (other is not None and codes.get("genderCapacityAvailable") == other):
                continue
            count = (count or 0) + (record.count if isinstance(record.count, int) else 0)
            if (updated := moment(record.updated)) is not None:
                dates.append(updated)
        stale = stale or _stale(place)
    return Availability(count, min(dates) if dates else None, stale if count is not None
                        else False)


def _stale(place: Json) -> bool:
    for ext in place.get("extension", []):
        if ext.get("url") == FRESHNESS_URL:
            return any(p.get("url") == "stale" and p.get("valueBoolean") is True
                       for p in ext.get("extension", []))
    return False


def availability_score(found: Availability) -> float:
    if found.available is None:
        return 0.25
    if found.available > 0:
        return 0.5 if found.stale else 1.0
    return 0.1 if found.stale else 0.0


def matched_words(need: Need, offer: Json) -> tuple[str, ...]:
    text = normalise(f"{offer.get('name', '')} {offer.get('comment', '')}").split()
    return tuple(w for w in need.words if any(same_word(w, t) or t.startswith(w) for t in text))


def rank(need: Need, kept: list[tuple[Candidate, list[Check]]], start_km: float
         ) -> list[Ranked]:
    ranked = []
    for candidate, _ in kept:
        distance = candidate.distance_km or 0.0
        proximity = 1 / (1 + distance / start_km)
        words = matched_words(need, candidate.body)
        fit = len(words) / len(need.words) if need.words else 1.0
        found = availability(candidate.places, need.sex)
        avail = availability_score(found)
        score = (WEIGHTS["proximity"] * proximity + WEIGHTS["fit"] * fit
                 + WEIGHTS["availability"] * avail)
        ranked.append(Ranked(candidate, round(score, 4), proximity, fit, found, avail, words))
    ranked.sort(key=lambda r: (-r.score, r.candidate.distance_km or 0.0, r.candidate.id))
    return ranked
