"""Offers of an activity with a given capacity at one of their places, as one index range.

``specialty=X&location.capacity-status=02&location.nb-capacity=gt0…`` is the ROR's
correlated capacity search. As two criteria, the activity's offers (up to 55,000 nationally)
are each probed for a place with such a record, or the reverse. The offers' activities and
their places' capacity rows are kept together (``store.offer_capacity``), so the two
criteria become one (``OfferCapacity``), read from that table: it holds exactly when both
did, since the table has a row for every pair of an activity and a place's record.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openror.search import capacity, scope
from openror.search.conditions import token_condition
from openror.search.model import Chain, Criterion, Match, OfferCapacity, TokenValue
from openror.store.offer_capacity import ACTIVITY, OFFER, PLACE, PLACES
from openror.store.search_tables import search_offer_capacity


def combine(rtype: str, items: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    """``items`` (criteria that must all hold) with an offer's activity and a capacity
    group of its places merged into one ``OfferCapacity``, when both are there."""
    if rtype != OFFER:
        return items
    activity = next((i for i in items if _activity(i)), None)
    chain = next((i for i in items if _capacity_chain(i)), None)
    if activity is None or chain is None:
        return items
    assert isinstance(activity, Match) and isinstance(chain, Chain)
    group = capacity.typed_group(chain.inner)
    assert group is not None
    rest = tuple(i for i in items if i is not activity and i is not chain)
    return (OfferCapacity(activity, group), *rest)


def _activity(c: Criterion) -> bool:
    return isinstance(c, Match) and c.param.name == ACTIVITY and not c.modifier \
        and all(isinstance(v, TokenValue) for v in c.values)


def _capacity_chain(c: Criterion) -> bool:
    return isinstance(c, Chain) and c.param.name == PLACES and c.target == PLACE \
        and not c.above and capacity.typed_group(c.inner) is not None


def offer_ids(c: OfferCapacity, owner: Any = None) -> sa.Select[Any]:
    """The offers ``c`` holds for (with repeats); with ``owner``, only that one (a probe).
    The place must be one the caller may see, as through the chain."""
    t = search_offer_capacity
    conditions = [sa.or_(*(token_condition(t, v) for v in c.activity.values
                           if isinstance(v, TokenValue))),
                  *capacity.record_conditions(t, c.capacity),
                  *scope.visible(PLACE, t.c.location_id)]
    if owner is not None:
        conditions.append(t.c.id == owner)
    return sa.select(t.c.id).where(*conditions)
