"""The ASGI application: FHIR API under /fhir, system pages under /-/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from openror import logs
from openror.api import errors, fhir_routes, system_routes
from openror.api.middleware import RequestIdMiddleware
from openror.config import Settings, load_settings
from openror.services.container import Services
from openror.store.migrate import ensure_current


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the database must already be at the current schema."""
    settings = settings or load_settings()
    logs.configure(settings.log_level)
    services = Services.open(settings)
    ensure_current(services.db)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await services.db.points.open_async(settings.pool_size)
        yield
        await services.db.points.close_async()
        services.close()

    app = Starlette(
        routes=[
            Mount("/fhir", routes=fhir_routes.ROUTES),
            Mount("/-", routes=system_routes.ROUTES),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    app.state.services = services
    return app
