"""The kind a search is counted under in the metrics (search.kinds): one of a closed set,
the first feature that applies, wherever in the criteria it sits."""

from __future__ import annotations

import pytest

from openror.search.kinds import KINDS, kind_of
from openror.search.parse import parse_query


@pytest.mark.parametrize(("rtype", "query", "kind"), [
    ("Organization", "name=Centre", "plain"),
    ("Organization", "_summary=count&name=Centre", "count"),
    ("Location", "near=48.8|2.1|10|km&name=A", "near"),
    ("HealthcareService", "location.near=48.8|2.1|10|km&_content=lit", "near"),
    ("HealthcareService", "_content=medecine&organization.name=Centre", "text"),
    ("HealthcareService", "organization.name=Centre", "chained"),
    ("Organization", "_has:HealthcareService:organization:name=x", "chained"),
    ("HealthcareService", "_filter=not(organization.name eq Centre)", "chained"),
    ("Location", "capacity-status=02&capacity-type=01", "correlated"),
    ("HealthcareService", "_include=HealthcareService:organization", "include"),
    ("Organization", "", "plain"),
])
def test_a_search_is_of_the_first_kind_that_applies(rtype: str, query: str,
                                                    kind: str) -> None:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    assert kind_of(parse_query(rtype, pairs)) == kind  # type: ignore[arg-type]


def test_a_following_page_is_a_page_whatever_the_query() -> None:
    query = parse_query("Location", [("near", "48.8|2.1|10|km")])
    assert kind_of(query, page=True) == "page"
    assert len(set(KINDS)) == len(KINDS) == 9
