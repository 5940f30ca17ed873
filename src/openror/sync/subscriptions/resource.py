"""The Subscription resource as clients send it: checked element by element, every mistake a
400 naming the element; and as the server shows it (no secret but at creation)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from openror.errors import InvalidInput, Issue, error
from openror.search.matching import Pairs, parse_criteria

ID_ONLY, FULL = None, "application/fhir+json"
SECRET_URL = "https://openror.org/fhir/StructureDefinition/subscription-secret"
#: headers the server sets on every notification: a subscriber may not replace them
_OURS = ("content-type", "content-length", "host", "x-openror-")
_ELEMENTS = frozenset({"resourceType", "id", "meta", "text", "extension", "status", "contact",
                       "reason", "criteria", "error", "channel"})
_CHANNEL = frozenset({"type", "endpoint", "payload", "header", "extension"})
_STATUSES = ("requested", "active", "off", "error")


@dataclass(frozen=True)
class Spec:
    """What a client asked for, checked."""

    status: str  # active, off, or error (kept as the server set it): "requested" is granted
    rtype: str
    criteria: str
    pairs: Pairs
    endpoint: str
    payload: str | None
    headers: tuple[tuple[str, str], ...]
    body: dict[str, Any]  # the resource as the client sent it, without server elements


def parse(body: Any) -> Spec:
    if not isinstance(body, dict) or body.get("resourceType") != "Subscription":
        raise _bad("Subscription", "the body must be a Subscription resource")
    unknown = sorted(set(body) - _ELEMENTS)
    if unknown:
        raise _bad(f"Subscription.{unknown[0]}", f"'{unknown[0]}' is not supported here: "
                   f"a Subscription has {', '.join(sorted(_ELEMENTS))}")
    status = body.get("status", "requested")
    if status not in _STATUSES:
        raise _bad("Subscription.status", "status is requested, active or off")
    criteria = body.get("criteria")
    if not isinstance(criteria, str) or not criteria.strip():
        raise _bad("Subscription.criteria", "criteria is required: a search on one type, "
                   "e.g. HealthcareService?_tag=https://mos.esante.gouv.fr/NOS/TRE_R30-"
                   "RegionOM/FHIR/TRE-R30-RegionOM|11")
    rtype, pairs = parse_criteria(criteria, "Subscription.criteria")
    channel = body.get("channel")
    if not isinstance(channel, dict):
        raise _bad("Subscription.channel", "channel is required (type rest-hook, endpoint)")
    _check_contact(body.get("contact"))
    granted = {"off": "off", "error": "error"}.get(status, "active")
    return Spec(granted, rtype, criteria.strip(), pairs, *_channel(channel), _client_part(body))


def _channel(channel: dict[str, Any]) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    unknown = sorted(set(channel) - _CHANNEL)
    if unknown:
        raise _bad(f"Subscription.channel.{unknown[0]}", f"'{unknown[0]}' is not supported")
    if channel.get("type") != "rest-hook":
        raise _bad("Subscription.channel.type", "only rest-hook channels are supported")
    endpoint = channel.get("endpoint")
    if not isinstance(endpoint, str) or not _allowed_endpoint(endpoint):
        raise _bad("Subscription.channel.endpoint", "the endpoint must be an https:// URL "
                   "(http:// only on the loopback address, for tests)")
    payload = channel.get("payload") or ID_ONLY
    if payload not in (ID_ONLY, FULL, "application/json"):
        raise _bad("Subscription.channel.payload", "payload is absent (notifications carry "
                   "the id, version and event) or application/fhir+json (the resource too)")
    return endpoint, FULL if payload else ID_ONLY, _headers(channel.get("header", []))


def _allowed_endpoint(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _headers(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        raise _bad("Subscription.channel.header", "header is a list of 'Name: value' strings")
    found = []
    for n, line in enumerate(raw):
        name, sep, value = line.partition(":") if isinstance(line, str) else ("", "", "")
        name, value = name.strip(), value.strip()
        if not sep or not name or " " in name or "\n" in value or "\r" in value:
            raise _bad(f"Subscription.channel.header[{n}]", "a header is 'Name: value'")
        if name.lower().startswith(_OURS):
            raise _bad(f"Subscription.channel.header[{n}]",
                       f"the server sets {name} itself")
        found.append((name, value))
    return tuple(found)


def _check_contact(contact: Any) -> None:
    if contact is None:
        return
    if not isinstance(contact, list) or not all(
            isinstance(c, dict) and isinstance(c.get("value", ""), str) for c in contact):
        raise _bad("Subscription.contact", "contact is a list of ContactPoint "
                   "({\"system\": \"email\", \"value\": \"…\"})")


def _client_part(body: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in body.items() if k not in ("id", "meta", "error", "status")}
    channel = dict(kept["channel"])
    channel.pop("extension", None)  # the secret is the server's
    kept["channel"] = channel
    return kept


def mail_contacts(body: dict[str, Any]) -> list[str]:
    """The e-mail addresses of ``Subscription.contact``: who hears of a disabling."""
    return [c["value"] for c in body.get("contact", [])
            if c.get("system") == "email" and c.get("value")]


def shown(row: dict[str, Any], secret: str | None = None) -> dict[str, Any]:
    """The Subscription as served: the stored client part with the server's status, error
    and metadata; the secret only when given (at creation)."""
    body: dict[str, Any] = orjson.loads(row["body"])
    out: dict[str, Any] = {"resourceType": "Subscription", "id": row["id"],
                           "meta": {"versionId": str(row["version"]),
                                    "lastUpdated": row["updated_at"].isoformat() + "Z"},
                           **{k: v for k, v in body.items() if k != "resourceType"},
                           "status": row["status"]}
    if row["error"]:
        out["error"] = row["error"]
    if secret is not None:
        out["channel"] = {**out["channel"], "extension": [
            {"url": SECRET_URL, "valueString": secret}]}
    return out


def _bad(where: str, message: str) -> InvalidInput:
    issue: Issue = error("invalid", message, where)
    return InvalidInput([issue])
