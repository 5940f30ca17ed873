"""_history parameters and the history Bundle, built around the stored bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request

from openror.config import Settings
from openror.errors import InvalidInput, error
from openror.services.metadata import fhir_instant
from openror.services.reads import HistoryPage
from openror.store.feed import HistoryRow
from openror.store.feed_epoch import EPOCH_SYSTEM
from openror.store.feed_order import SEQUENCE_URL
from openror.store.resources import naive_utc

_METHOD = {"create": ("POST", "201"), "update": ("PUT", "200"), "patch": ("PATCH", "200"),
           "delete": ("DELETE", "204")}


@dataclass(frozen=True)
class HistoryParams:
    since: datetime | None
    count: int
    before: int | None
    #: the gap-free feed: changes numbered above it, oldest first (None: newest first)
    after: int | None = None

    @classmethod
    def parse(cls, request: Request, settings: Settings) -> HistoryParams:
        q = request.query_params
        unknown = set(q) - {"_since", "_count", "_before", "_after", "_format"}
        if unknown:
            raise InvalidInput([error("not-supported", f"unknown _history parameter(s): "
                                      f"{', '.join(sorted(unknown))}; use _since, _count, "
                                      "_after")])
        after, before = _int(q, "_after"), _int(q, "_before")
        if after is not None and before is not None:
            raise InvalidInput([error("invalid", "_after (oldest first, forward) and _before "
                                      "(newest first, backward) cannot be combined", "_after")])
        return cls(_since(q.get("_since")), _count(q.get("_count"), settings), before, after)


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        return naive_utc(raw)
    except ValueError as exc:
        raise InvalidInput([error("invalid", f"_since={raw!r} is not a FHIR instant such as "
                                  "2026-01-31T12:00:00Z", "_since")]) from exc


def _count(raw: str | None, settings: Settings) -> int:
    if raw is None:
        return settings.history_page_size
    if not raw.isdigit() or not 1 <= int(raw) <= settings.history_max_page_size:
        raise InvalidInput([error("invalid", f"_count must be a number from 1 to "
                                  f"{settings.history_max_page_size}", "_count")])
    return int(raw)


def _int(q: QueryParams, name: str) -> int | None:
    raw = q.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidInput([error("invalid", f"{name} must be a whole number from 0 "
                                  "(a change's sequence number)", name)])
    return int(raw)


def _entry(row: HistoryRow, base: str) -> dict[str, object]:
    method, status = _METHOD[row.action]
    url = f"{row.type}/{row.id}" if method != "POST" else row.type
    entry: dict[str, object] = {
        "extension": [{"url": SEQUENCE_URL, "valueString": str(row.seq)}],
        "fullUrl": f"{base}/{row.type}/{row.id}"}
    if row.content is not None:
        entry["resource"] = orjson.Fragment(row.content)
    entry["request"] = {"method": method, "url": url}
    entry["response"] = {"status": status, "etag": f'W/"{row.version}"',
                         "lastModified": fhir_instant(row.at)}
    return entry


def _next_url(page: HistoryPage, self_url: str, params: HistoryParams) -> str | None:
    """Where the next page is: older changes (``_before``), or, on an ``_after`` page,
    always, the changes after this one's (the same place again when there were none)."""
    query: dict[str, object] = {"_count": params.count}
    if page.next_after is not None:
        query["_after"] = page.next_after
    elif page.next_before is not None:
        query["_before"] = page.next_before
    else:
        return None
    if params.since is not None:
        query["_since"] = fhir_instant(params.since)
    return f"{self_url.split('?', maxsplit=1)[0]}?{urlencode(query)}"


def render(page: HistoryPage, base: str, self_url: str, params: HistoryParams) -> bytes:
    links = [{"relation": "self", "url": self_url}]
    next_url = _next_url(page, self_url, params)
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    entries = [_entry(row, base) for row in page.rows]
    bundle: dict[str, object] = {"resourceType": "Bundle"}
    meta: dict[str, object] = {}
    if page.as_of is not None:  # a safe next _lastUpdated=ge value (docs/api/sync.md)
        meta["lastUpdated"] = fhir_instant(page.as_of)
    if page.epoch is not None:  # whose numbers the _after cursors are (docs/api/sync.md)
        meta["tag"] = [{"system": EPOCH_SYSTEM, "code": page.epoch}]
    if meta:
        bundle["meta"] = meta
    bundle["type"] = "history"
    if page.total is not None:
        bundle["total"] = page.total
    bundle["link"] = links
    bundle["entry"] = entries
    return orjson.dumps(bundle)
