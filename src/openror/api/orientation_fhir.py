"""``GET|POST /fhir/HealthcareService/$orientation``: the orientation of ``/api/orientation``
(same parameters, same engine, same read policy) answered as a FHIR searchset Bundle
(docs/api/orientation.md, FHIR variant)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.api import orientation_bundle
from openror.api.http import JSON_TYPES, FhirResponse, base_url, caller_of, read_resource
from openror.api.orientation_api import PARAMS, run
from openror.errors import InvalidInput, error
from openror.params import refuse_unknown
from openror.search.engine import SearchEngine
from openror.search.includes import Included
from openror.search.parse import parse_query
from openror.store.database import Database

PATH = "/HealthcareService/$orientation"
DEFINITION = "https://openror.fr/fhir/OperationDefinition/orientation"
FORM = "application/x-www-form-urlencoded"
INCLUDES = ("_include", "_include:iterate", "_revinclude", "_revinclude:iterate")
#: what the CapabilityStatement declares on HealthcareService
OPERATION = {
    "name": "orientation", "definition": DEFINITION,
    "documentation": "The offers that best fit a patient's need near the patient, ranked and "
    "explained: the parameters of GET /api/orientation (_count = count; _include, "
    "_revinclude as in a search), GET or POST (Parameters or form). A searchset Bundle: "
    "search.score, the location-distance extension and the explanation extension "
    f"{orientation_bundle.EXPLANATION_URL} on each entry.search; whyNot (explain=) as an "
    "outcome entry. See docs/api/orientation.md."}


async def orientation(request: Request) -> Response:
    return await _answer(request, parse_qsl(request.url.query, keep_blank_values=True))


async def orientation_post(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if ctype == FORM:
        body = (await request.body()).decode("utf-8", errors="replace")
        return await _answer(request, pairs + parse_qsl(body, keep_blank_values=True))
    if ctype not in JSON_TYPES:
        raise InvalidInput([error("not-supported", f"POST $orientation takes a Parameters "
                                  f"resource (application/fhir+json) or {FORM}, not "
                                  f"{ctype or 'no content type'}")])
    settings = request.app.state.services.settings
    return await _answer(request, pairs + _parameters(
        await read_resource(request, settings.max_body_bytes)))


def _parameters(body: dict[str, Any]) -> list[tuple[str, str]]:
    """A Parameters resource as (name, value) pairs: one primitive value[x] each."""
    if body["resourceType"] != "Parameters":
        raise InvalidInput([error("invalid", "POST $orientation takes a Parameters resource, "
                                  f"got {body['resourceType']}", "resourceType")])
    pairs = []
    for n, part in enumerate(body.get("parameter") or []):
        values = [v for k, v in part.items() if k.startswith("value")] \
            if isinstance(part, dict) else []
        if not isinstance(part, dict) or not isinstance(part.get("name"), str) \
                or len(values) != 1 or isinstance(values[0], dict | list):
            raise InvalidInput([error("invalid", "each parameter needs a name and one "
                                      "primitive value (valueString, valueCode, valueInteger, "
                                      "valueDecimal…)", f"Parameters.parameter[{n}]")])
        value = values[0]
        pairs.append((part["name"], str(value).lower() if isinstance(value, bool)
                      else str(value)))
    return pairs


async def _answer(request: Request, pairs: list[tuple[str, str]]) -> Response:
    services = request.app.state.services
    base = base_url(request, services.settings.base_url)
    self_url = f"{base}{PATH}" + (f"?{urlencode(pairs)}" if pairs else "")
    bundle = await run_in_threadpool(answer, services.db, caller_of(request), pairs, base,
                                     self_url)
    return FhirResponse(orjson.dumps(bundle))


def answer(db: Database, caller: Caller, pairs: list[tuple[str, str]], base: str,
           self_url: str) -> dict[str, Any]:
    refuse_unknown(dict(pairs), (*PARAMS, "_count", *INCLUDES))
    includes = [(k, v) for k, v in pairs if k in INCLUDES]
    parse_query("HealthcareService", includes)  # a bad _include is a 400 before any work
    params = _aliased(dict((k, v) for k, v in pairs if k not in INCLUDES))
    try:
        done = run(db, caller, params)
    except InvalidInput as exc:
        raise _as_written(exc, pairs) from None
    ids = [r.candidate.id for r in done.outcome.results]
    return orientation_bundle.render(done, base, self_url, _included(db, caller, ids,
                                                                    includes))


def _aliased(params: dict[str, str]) -> dict[str, str]:
    if "_count" in params:
        if "count" in params:
            raise InvalidInput([error("invalid", "give count or _count, not both", "_count")])
        params["count"] = params.pop("_count")
    return params


def _as_written(exc: InvalidInput, pairs: list[tuple[str, str]]) -> InvalidInput:
    """An error about ``count`` names ``_count`` when that is what the client sent."""
    if not any(k == "_count" for k, _ in pairs):
        return exc
    return InvalidInput([replace(i, expression=tuple("_count" if e == "count" else e
                                                     for e in i.expression))
                         for i in exc.issues])


def _included(db: Database, caller: Caller, ids: list[str],
              includes: list[tuple[str, str]]) -> list[Included]:
    """What the includes bring to the results: the plain search's includes (same read
    policy, redaction and capacity freshness), run on the results' ids."""
    if not includes or not ids:
        return []
    query = parse_query("HealthcareService", [("_id", ",".join(ids)),
                                              ("_count", str(len(ids))), *includes])
    return SearchEngine(db, caller).search(query, paged=False).included


ROUTES = [Route(PATH, orientation, methods=["GET"]),
          Route(PATH, orientation_post, methods=["POST"])]
