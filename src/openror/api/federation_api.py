"""``GET /api/federation/digest``: the proof-of-sameness digests a following instance
compares with its own (docs/api/federation.md), over what the caller may read."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openror.access.caller import Caller
from openror.api.http import caller_of, json_response
from openror.errors import InvalidInput, error
from openror.services.container import Services
from openror.sync.federation import digest
from openror.sync.federation.feed_page import FEDERATED_TYPES

_PARAMS = frozenset({"type", "region", "level", "bucket"})
_BUCKET = re.compile(r"^[0-9a-f]{2}$")


def _check(request: Request) -> dict[str, str | None]:
    q = request.query_params
    unknown = sorted(set(q) - _PARAMS)
    if unknown:
        raise InvalidInput([error("not-supported", f"unknown parameter {name}: use type, "
                                  "region, level=buckets or bucket", name) for name in unknown])
    rtype, region, level, bucket = (q.get(n) for n in ("type", "region", "level", "bucket"))
    if rtype is not None and rtype not in FEDERATED_TYPES:
        raise InvalidInput([error("invalid", f"type must be one of "
                                  f"{', '.join(sorted(FEDERATED_TYPES))}", "type")])
    if level not in (None, "buckets"):
        raise InvalidInput([error("invalid", "level must be 'buckets'", "level")])
    if bucket is not None and not _BUCKET.match(bucket):
        raise InvalidInput([error("invalid", "bucket is two lower-case hex digits, e.g. 0a",
                                  "bucket")])
    if (level or bucket) and (rtype is None or region is None):
        raise InvalidInput([error("required", "level and bucket need both type and region",
                                  "type" if rtype is None else "region")])
    return {"type": rtype, "region": region, "level": level, "bucket": bucket}


def compute(services: Services, caller: Caller, params: dict[str, str | None]
            ) -> dict[str, Any]:
    rtype, region, bucket = params["type"], params["region"], params["bucket"]
    answer: dict[str, Any] = {"algorithm": digest.ALGORITHM}
    with services.db.read() as conn:
        if bucket is not None:
            assert rtype is not None
            entries = sorted(digest.served(conn, caller, rtype, region, bucket),
                             key=lambda e: e.id)
            answer.update(type=rtype, region=region, bucket=bucket, resources=[
                {"id": e.id, "version": e.version, "hash": e.hash} for e in entries])
        elif params["level"]:
            assert rtype is not None
            groups = digest.grouped(digest.served(conn, caller, rtype, region),
                                    lambda e: e.bucket)
            answer.update(type=rtype, region=region, buckets=[
                {"bucket": b, "count": d.count, "digest": d.digest} for b, d in groups.items()])
        else:
            answer["digests"] = [
                {"region": where, "type": name, "count": d.count, "digest": d.digest}
                for name in sorted({rtype} if rtype else FEDERATED_TYPES)
                for where, d in digest.grouped(digest.served(conn, caller, name, region),
                                               lambda e: e.region).items()]
    return answer


async def federation_digest(request: Request) -> Response:
    params = _check(request)
    services: Services = request.app.state.services
    found = await run_in_threadpool(compute, services, caller_of(request), params)
    return json_response(found)


ROUTES = [Route("/federation/digest", federation_digest, methods=["GET"])]
