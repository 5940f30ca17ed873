"""Search features beyond the golden recipes, over HTTP on each back-end, on the same
hand-written data set (``search_fixture``): nested ``_has``, modifiers, ``_elements``,
sorting, lenient and strict handling of bad parameters."""

from __future__ import annotations

import httpx
import pytest

from openror.search import groups
from tests.api.search_fixture import IDNAT_PS, R211, R330, R331, R332
from tests.api.test_search_recipes import (
    AVAILABLE_FEMALE_BED,
    EQUIPMENT,
    Server,
    found,
    matches,
    search,
    server,
)

__all__ = ["server"]  # the module-scoped data set fixture, used here too


def test_nested_has(server: Server) -> None:
    """Organizations providing an offer in which professional 810000000001 works."""
    assert found(server, "Organization", [
        ("_has:HealthcareService:organization:_has:PractitionerRole:service:"
         "practitioner.identifier", f"{IDNAT_PS}|810000000001")]) == {"uf-coro", "eg-misc"}


def test_token_not_and_text(server: Server) -> None:
    ids = ("_id", "cardio-nantes,gp-bourges")
    assert found(server, "HealthcareService",
                 [ids, ("specialty:not", f"{R211}|013")]) == {"gp-bourges"}
    # the NOS label of R211 013 is « Cardiologie générale »: word prefixes, no accents needed
    assert found(server, "HealthcareService",
                 [ids, ("specialty:text", "cardio generale")]) == {"cardio-nantes"}


def test_elements_keep_the_named_elements_and_mark_the_subset(server: Server) -> None:
    bundle = search(server, "HealthcareService", [("_id", "cardio-nantes"),
                                                  ("_elements", "name")])
    resource = bundle["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "name"}
    assert any(t.get("code") == "SUBSETTED" for t in resource["meta"]["tag"])


def test_sort_by_id_descending_then_by_name(server: Server) -> None:
    bundle = search(server, "HealthcareService", [("_id", "cardio-nantes,gp-bourges,gp-vannes"),
                                                  ("_sort", "-_id")])
    assert matches(bundle) == ["gp-vannes", "gp-bourges", "cardio-nantes"]
    bundle = search(server, "HealthcareService", [("_id", "cardio-nantes,gp-bourges"),
                                                  ("_sort", "name")])
    # « Cabinet Bourges » < « Consultations Nantes centre »
    assert matches(bundle) == ["gp-bourges", "cardio-nantes"]


def test_unknown_parameters_are_reported_when_lenient(server: Server) -> None:
    response = server.client.get("/HealthcareService", params={"_id": "gp-bourges",
                                                               "colour": "blue"})
    assert response.status_code == 200
    bundle = response.json()
    assert matches(bundle) == ["gp-bourges"]
    [outcome] = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert outcome["issue"][0]["severity"] == "warning"
    assert outcome["issue"][0]["expression"] == ["colour"]


@pytest.mark.parametrize(("params", "named"), [
    ({"colour": "blue"}, "colour"),
    ({"_lastUpdated": "yesterday"}, "_lastUpdated"),
    ({"location.near": "47.2|x|5|km"}, "location.near"),
    ({"organization:above.identifier:fuzzy": "x"}, "organization:above.identifier:fuzzy"),
])
def test_strict_handling_and_malformed_values_are_400(server: Server, params: dict[str, str],
                                                      named: str) -> None:
    response = server.client.get("/HealthcareService", params=params,
                                 headers={"Prefer": "handling=strict"})
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["expression"] == [named]
    assert named.split(":", maxsplit=1)[0].split(".", maxsplit=1)[0] in issue["diagnostics"]


def test_unknown_resource_type_is_404(server: Server) -> None:
    response = server.client.get("/Patient", params={"name": "x"})
    assert response.status_code == 404


def test_post_search_takes_a_form_only(server: Server) -> None:
    response = server.client.post("/HealthcareService/_search", json={"_id": "gp-bourges"})
    assert response.status_code == 400


def test_search_links_and_total_with_httpx_params(server: Server) -> None:
    """The self link is the request; a page with everything has no next link."""
    response = server.client.get("/HealthcareService", params={"_id": "gp-bourges"})
    bundle = response.json()
    assert bundle["total"] == 1
    assert [link["relation"] for link in bundle["link"]] == ["self"]
    assert "_id=gp-bourges" in bundle["link"][0]["url"]
    assert isinstance(httpx.URL(bundle["link"][0]["url"]).host, str)


@pytest.mark.parametrize("small", [0, 5_000], ids=["probed-per-candidate", "resolved-first"])
def test_correlated_groups_either_way(server: Server, small: int,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A correlated group is resolved to ids first when small, probed for each candidate
    otherwise (groups.SMALL): both give the golden answers, decoys excluded."""
    monkeypatch.setattr(groups, "SMALL", small)
    assert found(server, "HealthcareService", AVAILABLE_FEMALE_BED) == {"usinv-ok"}
    assert found(server, "HealthcareService", EQUIPMENT) == {"ortho-250", "ortho-grams"}
    # under a negation: the places without any record that is an available female bed now
    assert found(server, "Location", [
        ("_id", "loc-usinv-ok,loc-usinv-spread"),
        ("_filter", f"not (capacity-status eq {R330}|02 and nb-capacity gt 0 and "
                    f"gender-capacity-available eq {R332}|01 and "
                    f"temporality-capacity eq {R331}|01)")]) == {"loc-usinv-spread"}


def test_full_text_needs_every_term(server: Server) -> None:
    """Each term must prefix a word of the offer: « Consultations Nantes centre » has both,
    « Consultations Orvault » and « Cabinet Nantes centre » one each."""
    def found_by(text: str) -> set[str]:
        return found(server, "HealthcareService", [("_content", text)])

    assert found_by("consultations nantes") == {"cardio-nantes"}
    assert {"cardio-nantes", "cardio-orvault"} <= found_by("consultations")
    assert {"cardio-nantes", "gp-nantes"} <= found_by("nantes")
