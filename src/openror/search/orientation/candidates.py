"""Stage 2, candidates: offers of the asked activities near the patient, through the search
engine (so the caller's read policy applies: what it may not see is never a candidate).

The first radius follows the density of care in the patient's département, measured as the
number of places of care (Location) the caller sees there — départements are of comparable
size (about 6,000 km²) except Paris and its ring, which are small and dense anyway:

    ≥ 10,000 places → 2.5 km · ≥ 2,000 → 5 km · ≥ 500 → 10 km · ≥ 100 → 20 km ·
    fewer (or unknown) → 40 km

(Paris, 105 km² and about 15,000 places in the national dataset, is the first tier: within
5 km of its centre lie nearly a thousand offers of a common activity, every one of which
the ranking would read, where 2.5 km — a quarter of an hour by metro — holds enough.)

The radius doubles until the search has enough results (after the hard filters) or passes
``MAX_RADIUS_KM``; then the whole country is searched (beyond the region). An activity with
fewer than ``RARE_OFFERS`` offers in the whole country is searched nationally at once.

The hard criteria asked beyond the activity that the search engine can express go into the
search as a superset of what the filters keep (``search_pairs``): the care mode and the
expertise level (``system|code``), the equipment type on one of the offer's places, the
specific act, the public (with « tout public ») by code and the age (no bound of the
offer's age range excludes it). So a
rare criterion is found nationally at once, and the places are read (for the equipment)
only for offers that have it. Without them the search is the activity and the distance.

Both counts (places of a département, offers of an activity in the country) are kept per
process for ``COUNTS_TTL_S``, per read policy: they only choose a radius, and a count of
tens of thousands of rows at every query would cost more than the rest of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from openror.access import policy
from openror.access.caller import Caller
from openror.access.policy import PUBLIC_CHARACTERISTICS
from openror.fhir import capacity_indicators as ci
from openror.search.engine import SearchEngine
from openror.search.orientation import equipment
from openror.search.orientation.filters import CARE_MODE_SYSTEMS, EVERYONE, EXPERTISE_SYSTEMS
from openror.search.orientation.model import Candidate, Coded, Json, Need, Where
from openror.search.parse import MAX_COUNT, parse_query
from openror.store.freshness import DEFAULT, annotate_body, families_of
from openror.store.resources import utcnow

ACTIVITY_SYSTEM = ("https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
                   "TRE-R211-ActiviteOperationnelle")
DENSITY_RADII = ((10_000, 2.5), (2000, 5.0), (500, 10.0), (100, 20.0))
SPARSE_RADIUS_KM = 40.0
MAX_RADIUS_KM = 200.0
NATIONAL_KM = 20_100.0  # half the Earth's circumference: every point, overseas included
RARE_OFFERS = 20
#: beyond 200 km, where proximity hardly separates offers and availability ranks them, the
#: nearest this many offers of the country are ranked (every one of them has its places read)
NATIONAL_CANDIDATES = 200
COUNTS_TTL_S = 600.0


@dataclass(frozen=True)
class Scope:
    radius_km: float  # NATIONAL_KM when national
    start_km: float  # the first radius (also the distance scale of the ranking)

    @property
    def national(self) -> bool:
        return self.radius_km >= NATIONAL_KM


def start_radius(engine: SearchEngine, departement: str | None) -> float:
    if not departement:
        return SPARSE_RADIUS_KM
    places = _count(engine, "Location", [("departement", departement)])
    return next((km for least, km in DENSITY_RADII if places >= least), SPARSE_RADIUS_KM)


def offers_in_country(engine: SearchEngine, need: Need) -> int:
    """Without the age: the count only chooses how to widen, and is kept per process for the
    pairs counted; with the age in them, each age asked meant counting again (1.4–3 s
    for a common activity, every query)."""
    return _count(engine, "HealthcareService", search_pairs(need, engine.caller, age=False))


def is_rare(engine: SearchEngine, need: Need) -> bool:
    return offers_in_country(engine, need) < RARE_OFFERS


def search_pairs(need: Need, caller: Caller, *, age: bool = True) -> list[tuple[str, str]]:
    """The search parameters of the need (besides the distance). Characteristics only in
    the systems the caller sees: the others are withheld from the offers it reads, so the
    filters would find none of them anyway, and the engine refuses to search them."""
    pairs = [("specialty", _specialty(need))] if need.activities else []
    seen = policy.field_rules(caller, medico_social=False).acts
    care_modes, expertise = (tuple(s for s in systems if seen or s in PUBLIC_CHARACTERISTICS)
                             for systems in (CARE_MODE_SYSTEMS, EXPERTISE_SYSTEMS))
    if need.equipment is not None:
        pairs += equipment.search_pairs(need.equipment)
    if need.care_modes and care_modes:
        pairs.append(("characteristic", _tokens(care_modes, need.care_modes)))
    if need.expertise and expertise:
        pairs.append(("characteristic", _tokens(expertise, need.expertise)))
    if need.acts:
        pairs.append(("characteristic", ",".join(a.code for a in need.acts)))
    if need.publics:
        pairs.append(("patient-type", ",".join(dict.fromkeys(
            [*(p.code for p in need.publics), EVERYONE]))))
    if age and need.age is not None:
        pairs.append(("_filter", _age_filter(need.age)))
    return pairs


def _age_filter(age: float) -> str:
    """Offers whose age range may hold the patient: none of its bounds excludes the age. An
    offer without a range stays a candidate (``age-range-low=le…`` would drop it); the
    filters then check the range exactly. Without it, where the nearest offers of an
    activity are all for children, every radius read its nearest offers and dropped them."""
    years = f"{age:g}"
    return f"not (age-range-low gt {years}||a) and not (age-range-high lt {years}||a)"


def _tokens(systems: tuple[str, ...], codes: tuple[Coded, ...]) -> str:
    return ",".join(f"{system}|{c.code}" for system in systems for c in codes)


def scopes(engine: SearchEngine, need: Need, where: Where) -> Iterator[Scope]:
    """The radii to try, in order: growing, then national (at once for a rare activity)."""
    start = start_radius(engine, where.departement)
    if not is_rare(engine, need):
        km = start
        while km <= MAX_RADIUS_KM:
            yield Scope(km, start)
            km *= 2
    yield Scope(NATIONAL_KM, start)


def candidates(engine: SearchEngine, need: Need, where: Where, scope: Scope,
               count: int | None = None) -> list[Candidate]:
    """The offers within the scope, nearest first, without their places (``load_places``
    reads them for the few the ranking needs: reading every place within a dense radius
    was most of the time of a query). Nationally, the ``NATIONAL_CANDIDATES`` nearest
    (``count``: another number)."""
    count = count or (NATIONAL_CANDIDATES if scope.national else MAX_COUNT)
    q = parse_query("HealthcareService", [
        *search_pairs(need, engine.caller),
        ("location.near", f"{where.lat}|{where.lon}|{scope.radius_km}|km"),
        ("_count", str(count))])
    page = engine.search(q, paged=False)  # one page only: no paging snapshot to write
    return [Candidate(hit.id, orjson.loads(content), hit.distance)
            for hit, content in page.matches]


class Widening:
    """The candidates of each scope ``scopes`` gives, in turn. When the first radius is not
    enough and the country has at most ``MAX_COUNT`` offers of the need, all of them are
    read once, nearest first, and each later scope is cut from that list (an offer is
    within a radius when its nearest visible place is, as in the search): the same
    candidates as one search per radius, which cost up to seven searches for an activity of
    a few dozen offers far from the patient."""

    def __init__(self, engine: SearchEngine, need: Need, where: Where) -> None:
        self.engine, self.need, self.where = engine, need, where
        self._searched = False
        self._country: list[Candidate] | None = None

    def of(self, scope: Scope) -> list[Candidate]:
        if self._country is None and self._searched and \
                offers_in_country(self.engine, self.need) <= MAX_COUNT:
            self._country = candidates(self.engine, self.need, self.where,
                                       Scope(NATIONAL_KM, scope.start_km), MAX_COUNT)
        if self._country is None:
            self._searched = True
            return candidates(self.engine, self.need, self.where, scope)
        if scope.national:
            return self._country[:NATIONAL_CANDIDATES]
        return [c for c in self._country
                if c.distance_km is not None and c.distance_km <= scope.radius_km]


def load_places(engine: SearchEngine, found: list[Candidate],
                kept: dict[str, Json | None] | None = None) -> None:
    """Give each candidate the places it names that the caller sees, in the offer's order
    (their figures annotated with their age, as an ``_include`` would: here on the parsed
    places, which the engine would otherwise serialise to be parsed again).
    ``kept``: the places already read in this orientation (None: not visible), not read
    again, and where the places read are added."""
    places: dict[str, Json | None] = {} if kept is None else kept
    wanted = sorted({_place_id(r) for c in found for r in c.body.get("location", [])}
                    - {""} - places.keys())
    now = utcnow()
    for start in range(0, len(wanted), MAX_COUNT):
        ids = wanted[start:start + MAX_COUNT]
        page = engine.search(parse_query("Location", [("_id", ",".join(ids)),
                                                      ("_count", str(MAX_COUNT))]),
                             paged=False, fresh=False)
        read = {hit.id: orjson.loads(content) for hit, content in page.matches}
        with engine.db.read() as conn:
            families = families_of(conn, [i for i, body in read.items() if _has_figures(body)])
        for rid, body in read.items():
            annotate_body(body, families.get(rid, DEFAULT), now)
        places.update(dict.fromkeys(ids))
        places.update(read)
    for c in found:
        refs = [_place_id(r) for r in c.body.get("location", [])]
        c.places = [p for p in (places.get(r) for r in refs) if p is not None]


def _has_figures(place: Json) -> bool:
    return any(isinstance(e, dict) and e.get("url") == ci.URL
               for e in place.get("extension") or [])


def _place_id(ref: Json) -> str:
    return str(ref.get("reference", "")).split("/")[-1]


def one_offer(engine: SearchEngine, offer_id: str, where: Where) -> Candidate | None:
    """An offer as the caller sees it, with its distance (None: unknown to the caller)."""
    for near in ((("location.near", f"{where.lat}|{where.lon}|{NATIONAL_KM}|km"),), ()):
        page = engine.search(parse_query("HealthcareService", [("_id", offer_id), *near]))
        for hit, content in page.matches:
            return Candidate(hit.id, orjson.loads(content), hit.distance)
    return None


def _specialty(need: Need) -> str:
    return ",".join(f"{ACTIVITY_SYSTEM}|{a.code}" for a in need.activities)


_counts: dict[tuple[str, str, str], tuple[float, int]] = {}
_counts_lock = threading.Lock()


def _count(engine: SearchEngine, rtype: str, pairs: list[tuple[str, str]]) -> int:
    key = (engine.caller.policy_key, rtype, repr(pairs))
    now = time.monotonic()
    with _counts_lock:
        kept = _counts.get(key)
    if kept is not None and now - kept[0] < COUNTS_TTL_S:
        return kept[1]
    page = engine.search(parse_query(rtype, [*pairs, ("_summary", "count")]))
    with _counts_lock:
        if len(_counts) > 10_000:  # policies × départements × activity sets: rarely reached
            _counts.clear()
        _counts[key] = (now, page.total or 0)
    return page.total or 0
