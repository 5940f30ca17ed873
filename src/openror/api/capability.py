"""The CapabilityStatement, generated from the resource-type registry so it states exactly what
the server implements."""

from __future__ import annotations

from typing import Any

from openror import __version__
from openror.api.orientation_fhir import OPERATION
from openror.fhir.resource_types import OWN_TABLES, REGISTRY, ResourceType
from openror.fhir.search_params import PARAMS, R4_SP

ROR_IG = "https://interop.esante.gouv.fr/ig/fhir/ror/ImplementationGuide/ans.fhir.fr.ror|0.7.0"

_WRITE_NOTE = (
    "Writes are validated against the ROR 0.7.0 profile, the bundled NOS terminologies and "
    "reference integrity; an update is checked on what it changes (elements equal to the "
    "stored version's are not checked again for structure and codes; the profile rules read "
    "the whole resource). Conditional create (If-None-Exist), update and patch "
    "(PUT/PATCH [type]?identifier=[system|]value) are supported. Deletion keeps a tombstone "
    "version; deleting a resource still referenced by another is refused (409)."
)


_SEARCH_NOTE = (
    "Search: comma = OR, repeated parameter = AND; modifiers :not :missing :exact :contains "
    ":text :of-type :identifier :above (organization hierarchy) and typed chains; _has "
    "(nested), _filter, _content; _include/_revinclude (:iterate; one whose source is "
    "another type applies to included resources of that type); _sort (also chained), "
    "_count (default 200, max 1000), _total, _summary=count, _elements; at most 10,000 "
    "matches (then use $export). "
    "Deliberate choice: grouped parameters given together — capacity (capacity-*, "
    "temporality-capacity, gender-capacity-available, nb-capacity, additional-bed-type, "
    "crisis-type, temporary-assignement), equipment (equipment-type, equipment-feature, "
    "limit-value), housing (residential-*), price (price-*, special-price) and public "
    "(patient-type, age-range-*) — must all hold on the same extension instance, also "
    "through a chain (location.capacity-status=…&location.nb-capacity=gt0). Unknown "
    "parameters are ignored and reported, or refused with Prefer: handling=strict."
)

#: FHIR Bulk Data 2.0 export, at system and type level (docs/api/export.md)
EXPORT = {
    "name": "export",
    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export|2.0.0",
    "documentation": "Asynchronous (202 + Content-Location; Prefer: respond-async accepted, "
    "not required). _outputFormat application/fhir+ndjson (default; also application/ndjson, "
    "ndjson) or the ROR JSON variant application/fhir+json / application/json (one Bundle of "
    "type collection per file); _type, _since, _typeFilter (searches, OR per type; without "
    "_type they name the types exported), includeAssociatedData=_myCompleteExtract (the "
    "offers with their organisations and all parents, places, roles and practitioners; with "
    "_since, an offer comes when any of its graph changed). One snapshot per export "
    "(transactionTime), whose change-feed position the manifest gives (extension "
    "https://openror.org/fhir/StructureDefinition/change-sequence: go on with "
    "_history?_after=); the read policy of the caller applies; files for the same caller "
    "only, kept for a limited time.",
}

_SPECIAL = (
    ("_has", "special", R4_SP + "Resource-has", "Reverse chaining, nestable"),
    ("_filter", "special", R4_SP + "Resource-filter",
     "FHIR filter grammar (and, or, not, chained paths)"),
    ("_content", "string", R4_SP + "Resource-content", "Full text over names, aliases, "
     "descriptions and the labels of coded values; accent- and case-insensitive, word "
     "prefixes, ranked"),
)


def _search_params(rtype: str) -> list[dict[str, Any]]:
    found = [{"name": p.name, "type": p.type, "documentation": p.doc,
              **({"definition": p.definition} if p.definition else {})}
             for p in PARAMS.get(rtype, {}).values()]
    return found + [{"name": n, "definition": d, "type": t, "documentation": doc}
                    for n, t, d, doc in _SPECIAL]


def _includes(rtype: str) -> tuple[list[str], list[str]]:
    forward = [f"{rtype}:{p.name}" for p in PARAMS.get(rtype, {}).values()
               if p.type == "reference"]
    reverse = [f"{source}:{p.name}" for source, params in PARAMS.items()
               for p in params.values() if p.type == "reference" and rtype in p.targets]
    return forward, reverse


_FEED_NOTE = (
    "Newest first, paged with _before; _since (instant, inclusive), _count. With _after=<seq> "
    "(0: from the beginning): the change feed, oldest first, gap-free (no change skipped or "
    "repeated, even with concurrent writers); each entry carries its sequence number in the "
    "extension https://openror.org/fhir/StructureDefinition/change-sequence (valueString), "
    "and the next link, always present, carries the _after to ask next (docs/api/sync.md).")


def _interaction(code: str) -> dict[str, str]:
    if code in ("history-type", "history-system"):
        return {"code": code, "documentation": _FEED_NOTE}
    return {"code": code}


def _resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": rt.name,
        "profile": rt.profiles[0],
        "interaction": [_interaction(code) for code in rt.interactions],
        "versioning": "versioned-update",
        "readHistory": True,
    }
    if len(rt.profiles) > 1:
        entry["supportedProfile"] = list(rt.profiles)
    if rt.allows("search-type"):
        forward, reverse = _includes(rt.name)
        entry.update(searchInclude=forward, searchRevInclude=reverse,
                     searchParam=_search_params(rt.name))
    if rt.allows("create"):
        entry.update(updateCreate=True, conditionalCreate=True, conditionalUpdate=True,
                     conditionalDelete="not-supported", documentation=_WRITE_NOTE)
    else:
        entry["documentation"] = "Read-only through the API."
    if rt.name == "Location":
        entry["documentation"] += _CAPACITY_NOTE
    if rt.name == "Task":
        entry["documentation"] += _TASK_NOTE
    if rt.name == "Questionnaire":
        entry["documentation"] += _QUESTIONNAIRE_NOTE
    if rt.name in _MEASURE_NOTES:
        entry["documentation"] += _MEASURE_NOTES[rt.name]
    if rt.allows("search-type"):  # GET [base]/[type]/$export (docs/api/export.md)
        entry["operation"] = [EXPORT]
    if rt.name == "HealthcareService":
        entry["operation"] = [OPERATION, EXPORT]  # $orientation
    return entry


_TASK_NOTE = (
    " Anomalies follow the business-status workflow of JDV_J244 (TRE_R352): a new one "
    "starts in 01 or 02; a change of businessStatus outside the allowed transitions is "
    "refused (422 business-rule, expression Task.businessStatus); cancelling, tolerating and "
    "refusing need a reason in Task.statusReason.text. The server routes a new anomaly "
    "(focus resolved, also by identifier; owner and region tag from the focus; 04 when the "
    "focus cannot be found) and maintains status, authoredOn, lastModified and "
    "executionPeriod. The owner of the data (professional, referent) may answer 08, 09 or "
    "10; the rest is for the regional operator. Search parameter rule = input ruleErrorId. "
    "See docs/api/anomalies.md.")


_QUESTIONNAIRE_NOTE = (
    " Entry templates (RORQuestionnaire): launchContext 1..1, name, title, subjectType 1..1 and "
    "at least one useContext catEG (code TRE_R67 EG, value JDV_J55) are required; code and "
    "item.code are refused; linkIds must be unique (que-2), enableWhen must name an item of "
    "the template, an item has answerOption or answerValueSet, not both (que-4). Each write "
    "is a new version (vread, _history). Search context (any useContext value, system|code), "
    "context-type, category-eg (the catEG values only), identifier, url, version, status, "
    "name, title, description, publisher, subject-type, date; context-type-value (composite) "
    "is not supported: a value given as system|code names its kind of context (each kind has "
    "its own code system), and category-eg searches the EG categories alone. The server "
    "bundles the official example MS-141 and a template of the liberal general practitioner. "
    "See docs/api/templates.md.")


_MEASURE_NOTES = {
    "Measure": (
        " The ROR steering indicators: one Measure per quality rule (id quality-<rule>, "
        "identifier https://openror.fr/fhir/quality-indicator|<rule>, topic = the rule's "
        "quality theme TRE_R350), published by the server's quality run. Search "
        "identifier, topic, url, status, title, date; _revinclude=MeasureReport:measure; "
        "_has:MeasureReport:measure:date=eq<date>. See docs/api/quality.md."),
    "MeasureReport": (
        " Weekly figures of a steering indicator, published by the server's quality run: one "
        "report per rule, week and region (meta.tag TRE_R30) and a national one (tag 00); "
        "id quality-<rule>-<region>-<Monday>, identifier <rule>|<region>|<Monday> (escape "
        "the bars in a search: \\|). measureScore = conformant / perimeter as a proportion "
        "(UCUM 1); populations initial-population, denominator, numerator and, in "
        "https://openror.fr/fhir/CodeSystem/quality-population, deviating and partial. "
        "Search measure (canonical URL or Measure/id), date, period, identifier, status, "
        "_tag. Access profile 1 only; a region-limited caller sees its regions' reports. See "
        "docs/api/quality.md."),
}


_SUBSCRIPTION_NOTE = (
    "FHIR R4 rest-hook subscriptions of API clients, each visible to its owner only. criteria: "
    "a search on one type (e.g. HealthcareService?_tag=<TRE_R30 system>|11), checked at "
    "creation (400 Subscription.criteria); the owner is notified of the creations, updates "
    "and deletions of the resources that match as it may read them. channel.type rest-hook; "
    "channel.endpoint https (http on loopback only); channel.payload absent (id, version and "
    "event only) or application/fhir+json (the resource, redacted for the owner); "
    "channel.header added to each POST. The server generates the signing secret and returns "
    "it once, at creation, in channel.extension "
    "https://openror.org/fhir/StructureDefinition/subscription-secret; every notification "
    "(a history Bundle) carries X-OpenROR-Signature: sha256=<HMAC-SHA256 of the body>. Failed "
    "deliveries are retried with backoff; after repeated failures status becomes error. "
    "Search: GET Subscription lists the caller's own. Delivery log: GET "
    "/api/subscriptions/{id}/deliveries. See docs/api/subscriptions.md.")


def _own_table(rt: ResourceType) -> dict[str, Any]:
    return {"type": rt.name, "profile": rt.profiles[0],
            "interaction": [{"code": code} for code in rt.interactions],
            "versioning": "versioned", "readHistory": False, "updateCreate": False,
            "conditionalCreate": False, "conditionalUpdate": False,
            "conditionalDelete": "not-supported", "documentation": _SUBSCRIPTION_NOTE}


_CAPACITY_NOTE = (
    " Capacity records form a closed list of indicators (400 business-rule otherwise). "
    "Bed-management software updates them with PATCH "
    "ws-synchro-dispo-lits-fhir/Location?identifier=<IdNatStruct>/<external code> "
    "(replace, then add on 404). Reads and searches add the extension "
    "https://openror.fr/fhir/StructureDefinition/capacity-freshness to a place with "
    "availability figures (their age and a stale flag). See docs/api/capacity.md.")


_SECURITY_NOTE = (
    "OAuth2 client credentials (RFC 6749 section 4.4): POST {token} with "
    "grant_type=client_credentials and the client's id and secret (HTTP Basic or form), then "
    "send 'Authorization: Bearer <access_token>'. Where the server requires client "
    "certificates, clients of access profiles 1-5 authenticate with theirs over mutual TLS "
    "instead of the secret, and their tokens are bound to it (RFC 8705). Each client has a "
    "ROR access profile (0-5), read regions and write scopes (all, region:<INSEE code>); "
    "reads may carry the Ror-* headers of its onboarding. {anonymous}"
)
SMART_OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service"


def security(base: str, anonymous_access: bool) -> dict[str, Any]:
    """rest.security: where to get a token (SMART's oauth-uris extension carries its URL)."""
    token = base.removesuffix("/fhir") + "/auth/token"
    anonymous = ("Requests without a token are served as access profile 0 (open data) and may "
                 "not write." if anonymous_access else "Requests without a token get 401.")
    return {
        "extension": [{"url": SMART_OAUTH_URIS,
                       "extension": [{"url": "token", "valueUri": token}]}],
        "cors": False,
        "service": [{"coding": [{"system": SECURITY_SERVICE, "code": "OAuth"}],
                     "text": "OAuth2 client credentials"}],
        "description": _SECURITY_NOTE.format(token=token, anonymous=anonymous),
    }


def capability_statement(base: str, anonymous_access: bool = False) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-25",
        "publisher": "OpenROR",
        "kind": "instance",
        "software": {"name": "OpenROR", "version": __version__},
        "implementation": {"description": "OpenROR FHIR server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "patchFormat": ["application/fhir+json"],
        "implementationGuide": [ROR_IG],
        "rest": [{
            "mode": "server",
            "security": security(base, anonymous_access),
            "documentation": "FHIRPath Patch only (Parameters in application/fhir+json). "
                             + _SEARCH_NOTE,
            "resource": [*(_resource(rt) for rt in REGISTRY.values()),
                         *(_own_table(rt) for rt in OWN_TABLES.values())],
            "interaction": [_interaction("history-system")],
            "operation": [EXPORT],
        }],
    }
