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

Only the places of the candidates that can still enter the first ``count`` are read
(``best``): in a dense city most offers are too far to, whatever their availability.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from openror.fhir import capacity_indicators as ci
from openror.search.orientation.analyse import normalise, same_word
from openror.search.orientation.filters import Check
from openror.search.orientation.model import Availability, Candidate, Json, Need, Ranked
from openror.store.capacity_history import moment
from openror.store.freshness import FRESHNESS_URL

WEIGHTS = {"proximity": 0.5, "fit": 0.3, "availability": 0.2}
#: the fewest candidates whose places are read at once (a read costs a few ms whatever its size)
MIN_BATCH = 20
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
    if not need.words:
        return ()
    text = normalise(f"{offer.get('name', '')} {offer.get('comment', '')}").split()
    return tuple(w for w in need.words if any(same_word(w, t) or t.startswith(w) for t in text))


def rank(need: Need, kept: list[tuple[Candidate, list[Check]]], start_km: float
         ) -> list[Ranked]:
    """Every candidate ranked (their places already read)."""
    return sorted((scored(need, c, start_km) for c, _ in kept), key=_order)


def best(need: Need, kept: list[tuple[Candidate, list[Check]]], start_km: float, count: int,
         load_places: Callable[[list[Candidate]], None]) -> list[Ranked]:
    """The first ``count`` of ``rank`` (and some more, ranked among themselves only), reading
    the places of as few candidates as that needs: candidates are scored by decreasing best
    possible score (full availability), and scoring stops once the ``count``-th score is
    above the best possible score of every candidate left. Strictly above: a tie would be
    broken by distance and id, which an unread candidate could win."""
    waiting = sorted((c for c, _ in kept), key=lambda c: (-bound(need, c, start_km),
                                                          c.distance_km or 0.0, c.id))
    ranked: list[Ranked] = []
    start, batch = 0, max(2 * count, MIN_BATCH)
    while start < len(waiting):
        if len(ranked) >= count and \
                ranked[count - 1].score > round(bound(need, waiting[start], start_km), 4):
            break
        chunk = waiting[start:start + batch]
        load_places(chunk)
        ranked = sorted([*ranked, *(scored(need, c, start_km) for c in chunk)], key=_order)
        start, batch = start + batch, batch * 2  # few reads when many must be scored
    return ranked


def bound(need: Need, candidate: Candidate, start_km: float) -> float:
    """The best score the candidate can have whatever its places say."""
    proximity, fit, _ = _proximity_fit(need, candidate, start_km)
    return _score(proximity, fit, 1.0)


def scored(need: Need, candidate: Candidate, start_km: float) -> Ranked:
    proximity, fit, words = _proximity_fit(need, candidate, start_km)
    found = availability(candidate.places, need.sex)
    avail = availability_score(found)
    return Ranked(candidate, round(_score(proximity, fit, avail), 4), proximity, fit, found,
                  avail, words)


def _proximity_fit(need: Need, candidate: Candidate, start_km: float
                   ) -> tuple[float, float, tuple[str, ...]]:
    proximity = 1 / (1 + (candidate.distance_km or 0.0) / start_km)
    words = matched_words(need, candidate.body)
    return proximity, len(words) / len(need.words) if need.words else 1.0, words


def _score(proximity: float, fit: float, availability: float) -> float:
    # the same sum in the same order for a score and a bound: a float sum grows with its terms
    return (WEIGHTS["proximity"] * proximity + WEIGHTS["fit"] * fit
            + WEIGHTS["availability"] * availability)


def _order(r: Ranked) -> tuple[float, float, str]:
    return -r.score, r.candidate.distance_km or 0.0, r.candidate.id
