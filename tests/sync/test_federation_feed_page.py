"""Reading a page of a source's change feed (the contract of docs/api/sync.md): changes in
order with their sequence numbers, deletions without a resource, withheld versions left out,
the cursor of the ``next`` link; a page that is not a Bundle is refused. No database."""

from __future__ import annotations

import pytest

from openror.errors import InvalidInput
from openror.sync.federation.apply import latest
from openror.sync.federation.feed_page import Change, newest_seq, parse

SEQ = "https://openror.org/fhir/StructureDefinition/change-sequence"


def _entry(seq: int, method: str, url: str, resource: dict[str, object] | None = None
           ) -> dict[str, object]:
    entry: dict[str, object] = {"fullUrl": f"http://x/fhir/{url}",
                                "extension": [{"url": SEQ, "valueString": str(seq)}],
                                "request": {"method": method, "url": url}}
    if resource is not None:
        entry["resource"] = resource
    return entry


def test_a_page_gives_its_changes_and_the_next_cursor() -> None:
    org = {"resourceType": "Organization", "id": "a", "name": "A"}
    page = parse({"resourceType": "Bundle", "type": "history", "entry": [
        _entry(7, "POST", "Organization", org),
        _entry(8, "PUT", "Location/hidden"),  # a version this client may not see
        _entry(9, "DELETE", "HealthcareService/b"),
    ], "link": [{"relation": "self", "url": "http://x/fhir/_history?_after=6"},
                {"relation": "next", "url": "http://x/fhir/_history?_after=9&_count=3"}]})
    assert page.changes == [Change(7, "Organization", "a", org),
                            Change(9, "HealthcareService", "b", None)]
    assert page.next_after == 9


def test_an_empty_page_without_a_next_link_has_no_cursor() -> None:
    page = parse({"resourceType": "Bundle", "type": "history"})
    assert (page.changes, page.next_after) == ([], None)


@pytest.mark.parametrize("answer", [[], {"resourceType": "OperationOutcome"},
                                    {"resourceType": "Bundle", "entry": [
                                        {"resource": {"resourceType": "Organization"}}]}])
def test_what_is_not_a_feed_page_is_refused(answer: object) -> None:
    with pytest.raises(InvalidInput, match="change feed is not as expected"):
        parse(answer)


def test_only_the_last_change_of_each_resource_after_the_cursor_is_kept() -> None:
    first = {"resourceType": "Organization", "id": "a", "name": "1"}
    second = {**first, "name": "2"}
    task = {"resourceType": "Task", "id": "t"}
    kept, left = latest([Change(3, "Organization", "a", first),
                         Change(4, "Task", "t", task),
                         Change(5, "Location", "p", None),
                         Change(6, "Organization", "a", second)], cursor=3)
    assert kept == [Change(5, "Location", "p", None), Change(6, "Organization", "a", second)]
    assert left == 2  # the one at the cursor, and the anomaly (not federated)


def test_the_epoch_and_the_newest_number_withheld_versions_included() -> None:
    tag = {"system": "https://openror.org/fhir/CodeSystem/feed-epoch", "code": "e2"}
    page = {"resourceType": "Bundle", "type": "history", "meta": {"tag": [tag]},
            "entry": [_entry(12, "PUT", "Location/hidden"), _entry(11, "DELETE", "Location/c")]}
    assert parse(page).epoch == "e2"
    assert newest_seq(page) == 12  # the first entry of a newest-first page is withheld
    assert parse({"resourceType": "Bundle", "type": "history"}).epoch is None
    assert newest_seq({"resourceType": "Bundle", "type": "history"}) == 0
