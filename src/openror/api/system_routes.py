"""System pages under /-/: health (liveness), readiness, Prometheus metrics, the read
audit trail."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openror import __version__
from openror.api import readiness
from openror.api.audit import audit_trail
from openror.api.metrics.exposition import metrics
from openror.services.container import Services


def _database_ok(services: Services) -> bool:
    try:
        with services.db.read() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


async def health(request: Request) -> Response:
    services: Services = request.app.state.services
    ok = await run_in_threadpool(_database_ok, services)
    body = {"status": "ok" if ok else "unavailable", "version": __version__,
            "database": services.db.dialect}
    return JSONResponse(body, status_code=200 if ok else 503)


async def ready(request: Request) -> Response:
    services: Services = request.app.state.services
    found = await run_in_threadpool(readiness.check, services.db)
    body = {"status": "ready" if found.ready else "unavailable", "version": __version__,
            "database": services.db.dialect,
            "schema": {"current": found.current, "expected": found.expected},
            "problems": found.problems}
    return JSONResponse(body, status_code=200 if found.ready else 503)


ROUTES = [Route("/health", health, methods=["GET"]),
          Route("/ready", ready, methods=["GET"]),
          Route("/metrics", metrics, methods=["GET"]),
          Route("/audit", audit_trail, methods=["GET"])]
