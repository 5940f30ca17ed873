"""Run the orientation stages for one caller: analyse (done by the caller of ``orient``) →
candidates (growing radius) → filters → rank → explain.

Within a request's time limit (``store.deadline``), a larger radius may take half the time
left once a smaller one has kept an offer: past that, the widening stops and the offers
found so far are ranked, the answer saying so (``Outcome.cut_short``). A regulator gets
the offers within 40 km and the word that farther ones were not examined, rather than a
timeout and nothing.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from openror.access import policy
from openror.access.caller import Caller
from openror.errors import Forbidden, error
from openror.search.engine import SearchEngine
from openror.search.orientation import candidates as stage
from openror.search.orientation import contacts, explain, filters, hours
from openror.search.orientation.model import (
    Candidate,
    Dropped,
    Json,
    Need,
    Ranked,
    Where,
    french_km,
    french_number,
)
from openror.search.orientation.rank import best, rank
from openror.store import deadline
from openror.store.database import Database

DEFAULT_COUNT = 10
#: share of the request's time left that a larger radius may take once an offer is kept
WIDENING_SHARE = 0.5


@dataclass
class Outcome:
    need: Need
    where: Where
    scope: stage.Scope
    ranked: list[Ranked]
    checks: dict[str, list[filters.Check]]
    dropped: list[Dropped]
    count: int
    seen: set[str] = field(default_factory=set)  # every candidate's id
    kept: list[tuple[Candidate, list[filters.Check]]] = field(default_factory=list)
    exhaustive: bool = False  # every kept candidate ranked (else the first ``count`` only)
    #: the time limit stopped the widening at ``scope``: farther offers were not examined
    cut_short: bool = False

    @property
    def results(self) -> list[Ranked]:
        return self.ranked[:self.count]


def orient(db: Database, caller: Caller, need: Need, where: Where, now: datetime,
           count: int = DEFAULT_COUNT, exhaustive: bool = False) -> Outcome:
    """``exhaustive``: rank every candidate (a rank beyond ``count`` is then true, which
    ``why_not`` tells), not only those that can still enter the first ``count``."""
    refuse_withheld(caller, need)
    engine = SearchEngine(db, caller)
    found: list[Candidate] = []
    kept: list[tuple[Candidate, list[filters.Check]]] = []
    dropped: list[Dropped] = []
    scope = stage.Scope(stage.NATIONAL_KM, stage.SPARSE_RADIUS_KM)
    read: dict[str, Json | None] = {}  # places read so far, each read once
    places = partial(stage.load_places, engine, kept=read)
    widening = stage.Widening(engine, need, where)
    cut_short = False
    for wider in stage.scopes(engine, need, where):
        try:
            with deadline.share(WIDENING_SHARE) if kept else nullcontext():
                widened = widening.of(wider)
                if need.equipment is not None:  # the search kept only offers with it
                    places(widened)
        except deadline.TimedOut:
            if not kept:
                raise
            cut_short = True
            break
        scope, found = wider, widened
        kept, dropped = filters.apply(need, found, now)
        if len(kept) >= count:
            break
    if exhaustive:
        places([c for c, _ in kept])
        ranked = rank(need, kept, scope.start_km)
    else:
        ranked = best(need, kept, scope.start_km, count, places)
    outcome = Outcome(need, where, scope, ranked, {c.id: passed for c, passed in kept},
                      dropped, count, {c.id for c in found}, kept, exhaustive, cut_short)
    describe(outcome.results, now)
    return outcome


def refuse_withheld(caller: Caller, need: Need) -> None:
    """A 403 when the need asks for what the caller's profile does not see (as the search
    engine's guard does): an answer on such a criterion would tell which offers have it."""
    rules = policy.field_rules(caller, medico_social=False)
    for asked, shown, name, what in ((need.equipment, rules.equipment, "equipment",
                                      "the equipment of places"),
                                     (need.acts, rules.acts, "act", "specific acts")):
        if asked and not shown:
            raise Forbidden([error("forbidden", f"access profile {caller.profile}: it does not "
                                   f"see {what}, so it may not orient on them", name)])


def describe(results: list[Ranked], now: datetime) -> None:
    """Each result's opening hours and the contacts the caller sees."""
    for ranked in results:
        ranked.opening = hours.opening(ranked.candidate.body, now)
        ranked.contacts = contacts.contacts(ranked.candidate.body)


def explained(outcome: Outcome, now: datetime) -> list[dict[str, Any]]:
    return [explain.explanation(outcome.need, r, outcome.checks[r.candidate.id], now)
            for r in outcome.results]


def why_not(db: Database, caller: Caller, outcome: Outcome, offer_id: str,
            now: datetime) -> explain.WhyNot:
    """Which stage left the offer out, and why (in French)."""
    ranked = outcome.ranked
    if offer_id in outcome.checks and not outcome.exhaustive:  # its true rank is needed
        engine = SearchEngine(db, caller)
        stage.load_places(engine, [c for c, _ in outcome.kept if not c.places])
        ranked = rank(outcome.need, outcome.kept, outcome.scope.start_km)
    positions = {r.candidate.id: n for n, r in enumerate(ranked, 1)}
    if offer_id in positions:
        if positions[offer_id] <= outcome.count:
            return explain.WhyNot(offer_id, "returned", f"retournée, au rang "
                                                        f"{positions[offer_id]}")
        return explain.why_not_beyond(offer_id, positions[offer_id], outcome.count)
    dropped = next((d for d in outcome.dropped if d.id == offer_id), None)
    if dropped is not None:
        return explain.why_not_dropped(dropped)
    return _never_found(db, caller, outcome, offer_id, now)


def _never_found(db: Database, caller: Caller, outcome: Outcome, offer_id: str,
                 now: datetime) -> explain.WhyNot:
    """Why an offer was not even a candidate: unseen, another activity, no coordinates,
    a hard criterion, or too far."""
    offer = stage.one_offer(SearchEngine(db, caller), offer_id, outcome.where)
    if offer is None:
        return explain.WhyNot(offer_id, "unknown", "offre inconnue, ou que votre profil "
                                                   "d'accès ne permet pas de voir")
    if outcome.need.activities and not explain.activities_matched(outcome.need, offer.body):
        asked = " ou ".join(a.label for a in outcome.need.activities)
        return explain.WhyNot(offer_id, "analyse", f"son activité ne correspond pas à la "
                                                   f"demande ({asked})")
    if offer.distance_km is None:
        return explain.WhyNot(offer_id, "candidates", "aucun de ses lieux n'a de "
                                                      "coordonnées connues")
    if outcome.need.equipment is not None:
        stage.load_places(SearchEngine(db, caller), [offer])
    failed = next((c for c in filters.checks(outcome.need, offer.body, now, offer.places)
                   if not c.ok), None)
    if failed is not None:
        return explain.why_not_dropped(Dropped(offer_id, "filters", failed.criterion,
                                               failed.text))
    reason = ("où la recherche s'est arrêtée faute de temps" if outcome.cut_short else
              "qui avait déjà assez de résultats")
    return explain.WhyNot(offer_id, "candidates",
                          f"à {french_km(offer.distance_km)} km, au-delà du rayon de "
                          f"recherche ({french_number(outcome.scope.radius_km)} km), {reason}")
