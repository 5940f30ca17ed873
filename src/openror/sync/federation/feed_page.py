"""A page of a source's change feed (``GET /fhir/_history?_after=N&_count=M``, a history
Bundle oldest first), as the changes it carries and the cursor to ask from next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from openror.errors import InvalidInput, error
from openror.store.feed_epoch import EPOCH_SYSTEM

#: the types federation carries: the description of the offer. Anomalies (Task), entry
#: templates (Questionnaire), indicators and subscriptions belong to each instance.
FEDERATED_TYPES = frozenset({"Organization", "HealthcareService", "Location", "Practitioner",
                             "PractitionerRole"})


@dataclass(frozen=True)
class Change:
    seq: int | None  # the source's change-sequence number (None: not given)
    type: str
    id: str
    body: dict[str, Any] | None  # None: a deletion


@dataclass(frozen=True)
class Page:
    changes: list[Change]
    next_after: int | None  # the cursor the ``next`` link names
    epoch: str | None = None  # the source feed's epoch (store.feed_epoch); None: not given


def parse(bundle: Any) -> Page:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise _bad("the answer is not a Bundle")
    entries = bundle.get("entry") or []
    changes = [c for c in (_change(e) for e in entries if isinstance(e, dict)) if c is not None]
    return Page(changes, _next_after(bundle.get("link") or []), _epoch(bundle))


def newest_seq(bundle: Any) -> int:
    """The highest change number of a history page's entries, withheld versions included
    (0: none)."""
    entries = bundle.get("entry") or [] if isinstance(bundle, dict) else []
    return max((s for s in (_seq(e) for e in entries if isinstance(e, dict)) if s is not None),
               default=0)


def _change(entry: dict[str, Any]) -> Change | None:
    request = _dict(entry.get("request"))
    resource = entry.get("resource")
    seq = _seq(entry)
    if request.get("method") == "DELETE" or resource is None:
        rtype, _, rid = str(request.get("url") or "").partition("/")
        if not rid:  # a version withheld from this client: nothing to apply
            rtype, rid = _from_full_url(entry.get("fullUrl"))
        if request.get("method") != "DELETE":
            return None
        return Change(seq, rtype, rid.split("/")[0], None)
    if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
        raise _bad("an entry has a resource without id")
    return Change(seq, str(resource.get("resourceType")), resource["id"], resource)


def _from_full_url(full: Any) -> tuple[str, str]:
    parts = str(full or "").rstrip("/").split("/")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")


def _seq(entry: dict[str, Any]) -> int | None:
    """The change-sequence extension, on the entry or on its response."""
    response = _dict(entry.get("response"))
    for holder in (entry, response):
        for ext in holder.get("extension") or []:
            if isinstance(ext, dict) and "sequence" in str(ext.get("url", "")).lower():
                for key in ("valueInteger64", "valueInteger", "valueString", "valueDecimal"):
                    if key in ext:
                        return int(ext[key])
    return None


def _epoch(bundle: dict[str, Any]) -> str | None:
    for tag in _dict(bundle.get("meta")).get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == EPOCH_SYSTEM and tag.get("code"):
            return str(tag["code"])
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _next_after(links: list[Any]) -> int | None:
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            values = parse_qs(urlsplit(str(link.get("url"))).query).get("_after")
            if values and values[0].isdigit():
                return int(values[0])
    return None


def _bad(what: str) -> InvalidInput:
    return InvalidInput([error("invalid", f"the source's change feed is not as expected: "
                               f"{what}")])
