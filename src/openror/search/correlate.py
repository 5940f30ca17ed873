"""Correlation: grouped parameters given together must hold on the same element.

"An available, current, female bed, count > 0" must not match a place that only has those
properties spread over different capacity records; the same holds for an equipment and its
limit, a price and its conditions, a public and its age range. A deliberate choice (the ROR
server does not correlate), documented in docs/api/search.md and the CapabilityStatement.
"""

from __future__ import annotations

from openror.search.model import Chain, Correlated, Criterion, Match


def correlate(items: list[Criterion]) -> list[Criterion]:
    """Merge grouped matches of one family (and such chains through the same reference) so
    that they must hold on one element."""
    out: list[Criterion] = []
    groups: dict[str, list[Match]] = {}
    chains: dict[tuple[str, str, bool], list[Chain]] = {}
    for item in items:
        if isinstance(item, Match) and item.param.group and item.modifier != "not":
            groups.setdefault(item.param.group, []).append(item)
        elif isinstance(item, Chain):
            chains.setdefault((item.param.name, item.target, item.above), []).append(item)
        else:
            out.append(item)
    for group, matches in groups.items():
        out.append(matches[0] if len(matches) == 1 else Correlated(group, tuple(matches)))
    for bucket in chains.values():
        first = bucket[0]
        out += [Chain(first.param, first.target, inner, first.above)
                for inner in correlate([c.inner for c in bucket])]
    return out
