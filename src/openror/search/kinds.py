"""What kind of search a query is, for monitoring: one word of a small closed set, so that
search latency can be watched per kind without one series per query.

A query that has several features takes the first that applies in ``KINDS`` order: the
features there are roughly from the costliest to the cheapest (a ``near`` search orders
every match by distance; a correlated capacity search probes groups of rows; a chain
joins another type).
"""

from __future__ import annotations

from collections.abc import Iterator

from openror.search.model import (
    AllOf,
    AnyOf,
    Chain,
    Content,
    Correlated,
    Criterion,
    Drive,
    Has,
    Near,
    Not,
    Query,
    Resolved,
)

ORIENTATION, PAGE, COUNT = "orientation", "page", "count"
NEAR, TEXT, CHAINED, CORRELATED, INCLUDE, PLAIN = (
    "near", "text", "chained", "correlated", "include", "plain")
#: every kind there is (orientation: the ranked orientation search, not a FHIR search)
KINDS = (ORIENTATION, PAGE, COUNT, NEAR, TEXT, CHAINED, CORRELATED, INCLUDE, PLAIN)


def kind_of(query: Query, *, page: bool = False) -> str:
    """The kind of a FHIR search; ``page``: a later page read from its snapshot."""
    if page:
        return PAGE
    if query.summary == "count":
        return COUNT
    found = {type(c) for c in _walk(query.criteria)}
    for kind, types in ((NEAR, (Near,)), (TEXT, (Content,)), (CHAINED, (Chain, Has)),
                        (CORRELATED, (Correlated,))):
        if found.intersection(types):
            return kind
    return INCLUDE if query.includes else PLAIN


def _walk(criterion: Criterion) -> Iterator[Criterion]:
    yield criterion
    if isinstance(criterion, AllOf | AnyOf):
        for item in criterion.items:
            yield from _walk(item)
    elif isinstance(criterion, Not | Drive):
        yield from _walk(criterion.item)
    elif isinstance(criterion, Resolved):
        yield from _walk(criterion.original)
    elif isinstance(criterion, Chain | Has):
        yield from _walk(criterion.inner)
