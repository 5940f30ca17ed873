"""The ASGI application: FHIR API under /fhir, token endpoint under /auth, system pages
under /-/."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from openror import allocator, logs, write_hooks
from openror.access.rate_limit import RateLimiter
from openror.access.throttle import FailureThrottle
from openror.api import (
    auth_routes,
    capacity_api,
    errors,
    export_routes,
    federation_api,
    fhir_routes,
    login_routes,
    oidc_routes,
    openapi_routes,
    opendata_routes,
    orientation_api,
    quality_api,
    quality_reports_api,
    subscription_routes,
    system_routes,
)
from openror.api.audit import ReadAuditMiddleware
from openror.api.authentication import AuthenticationMiddleware
from openror.api.hygiene import RateLimitMiddleware, SecurityHeadersMiddleware
from openror.api.metrics import exposition as metrics
from openror.api.middleware import RequestIdMiddleware
from openror.api.read_your_writes import ReadYourWritesMiddleware
from openror.api.time_limit import TimeLimitMiddleware
from openror.capacity import alerts, webhooks
from openror.config import Settings, load_settings
from openror.quality import schedule
from openror.quality.on_write import OfferChecks
from openror.quality.reminders import Reminders
from openror.quality.task_writes import TaskWorkflow
from openror.services import heap, mailer
from openror.services.container import Services
from openror.services.mail_backends import MailBackend, backend_from
from openror.services.measure_writer import SystemMeasureWriter
from openror.services.ownership import OWNERSHIP
from openror.services.read_audit import ReadAudit
from openror.services.task_writer import SystemTaskWriter
from openror.store import statistics
from openror.sync.export import jobs as export_jobs
from openror.sync.export.runner import Runner as ExportRunner
from openror.sync.subscriptions import delivery as subscription_delivery
from openror.web import routes as web_routes


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the database must already be at the current schema."""
    settings = settings or load_settings()
    logs.configure(settings.log_level)
    allocator.limit_arenas(settings.malloc_arenas)  # before the request threads start
    mail_backend = backend_from(settings.mail_backend)  # a wrong setting stops the start
    services = Services.open(settings)
    write_hooks.install(services.writes)  # capacity alerts, subscriptions
    services.writes.rules.append(TaskWorkflow())  # the anomaly workflow (quality.task_writes)
    services.writes.checks.append(OfferChecks(services.terminology))  # quality.on_write
    trail = ReadAudit(services.db, settings.audit_retention_days)
    export_runner = ExportRunner(services.db, settings)  # sync.export: $export jobs

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await services.db.points.open_async(settings.pool_size)
        heap.settle()  # what the app loaded, out of the full collections (services.heap)
        chores = Chores()
        refresher = asyncio.create_task(_refresh_statistics(services, chores))
        auditor = asyncio.create_task(trail.run())
        alerting = asyncio.create_task(_run_alerts(services, chores))
        notifying = asyncio.create_task(_notify_subscribers(services, chores))
        mailing = asyncio.create_task(_send_mail(services, mail_backend, chores))
        reminding = asyncio.create_task(_remind(services, chores))
        checking = asyncio.create_task(_quality_run(services, chores))
        metering = asyncio.create_task(metrics.publish_pools(services))
        exporting = asyncio.create_task(_run_exports(services, export_runner, chores))
        trimming = asyncio.create_task(_trim_memory(settings, chores))
        yield
        trimming.cancel()
        exporting.cancel()
        export_runner.stop()  # a job under way goes back to the queue for another process
        await asyncio.gather(*app.state.export_tasks, return_exceptions=True)
        metering.cancel()
        checking.cancel()
        reminding.cancel()
        mailing.cancel()
        alerting.cancel()
        notifying.cancel()
        refresher.cancel()
        auditor.cancel()
        await asyncio.gather(auditor, return_exceptions=True)  # its last flush
        await chores.finished()  # no thread may use the database once it is disposed
        await services.db.points.close_async()
        services.close()

    app = Starlette(
        routes=[
            Mount("/fhir", routes=[*export_routes.ROUTES, *subscription_routes.FHIR_ROUTES,
                                   *fhir_routes.ROUTES]),
            Mount("/auth", routes=[*auth_routes.ROUTES, *login_routes.ROUTES,
                                   *oidc_routes.ROUTES]),
            Mount("/-", routes=system_routes.ROUTES),
            Mount("/opendata", routes=opendata_routes.ROUTES),
            Mount("/api", routes=[*capacity_api.ROUTES, *quality_api.ROUTES,
                                  *quality_reports_api.ROUTES,
                                  *orientation_api.ROUTES, *openapi_routes.ROUTES,
                                  *subscription_routes.API_ROUTES,
                                  *federation_api.ROUTES]),
            *web_routes.ROUTES,
        ],
        middleware=[Middleware(SecurityHeadersMiddleware),
                    Middleware(RequestIdMiddleware),
                    Middleware(AuthenticationMiddleware, services=services),
                    Middleware(ReadYourWritesMiddleware, db=services.db),
                    Middleware(TimeLimitMiddleware, limit_s=settings.request_time_limit_s),
                    Middleware(RateLimitMiddleware, limiter=RateLimiter(
                        settings.rate_limit_per_minute, settings.rate_limit_burst)),
                    Middleware(ReadAuditMiddleware, trail=trail)],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.read_audit = trail
    app.state.export_runner = export_runner
    app.state.export_tasks = set()  # exports started by a kick-off, awaited at shutdown
    app.state.metrics = metrics.registry_for(services)  # GET /-/metrics
    # failed client authentications, per client id, in this process (see access.throttle)
    app.state.token_throttle = FailureThrottle(limit=10, window_s=300)
    return app


#: planner statistics go stale as the data grows through the API
STATISTICS_EVERY_S = 3600


class Chores:
    """Background work run in threads, which shutdown waits for: cancelling the task that
    awaits a thread does not stop the thread, and one still using the database after it is
    disposed leaves connections that nothing closes."""

    def __init__(self) -> None:
        self.running: set[asyncio.Future[Any]] = set()

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        future = asyncio.ensure_future(asyncio.to_thread(work, *args))
        self.running.add(future)
        future.add_done_callback(self.running.discard)
        return await asyncio.shield(future)

    async def finished(self) -> None:
        await asyncio.gather(*self.running, return_exceptions=True)


async def _run_alerts(services: Services, chores: Chores) -> None:
    """Capacity alerts' background work: due deliveries and retries, then a check of every
    alert (what writes of places did not trigger: offers changed, imports)."""
    every = services.settings.alert_interval_seconds
    while every > 0:
        try:
            await chores.run(webhooks.deliver_due, services.db)
            await chores.run(alerts.check_all, services.db)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.capacity").exception("capacity alerts run failed")
        await asyncio.sleep(every)


async def _notify_subscribers(services: Services, chores: Chores) -> None:
    """Subscriptions' notifications: due deliveries and retries (sync.subscriptions)."""
    settings = services.settings
    while settings.subscription_interval_seconds > 0:
        try:
            await chores.run(subscription_delivery.deliver_due, services.db,
                             settings.subscription_max_failures)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.sync").exception("subscription delivery failed")
        await asyncio.sleep(settings.subscription_interval_seconds)


async def _run_exports(services: Services, runner: ExportRunner, chores: Chores) -> None:
    """$export jobs no process runs (queued while this one was busy, or abandoned by a
    process that stopped), and the deletion of expired files (sync.export)."""
    every = services.settings.export_interval_seconds
    while every > 0:
        try:
            await chores.run(export_jobs.sweep, services.db, runner.exports)
            await chores.run(runner.run_pending)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.sync").exception("export jobs run failed")
        await asyncio.sleep(every)


async def _refresh_statistics(services: Services, chores: Chores) -> None:
    while True:
        try:
            await chores.run(statistics.refresh_if_due, services.db, STATISTICS_EVERY_S)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.store").exception("statistics refresh failed")
        await asyncio.sleep(STATISTICS_EVERY_S)


async def _trim_memory(settings: Settings, chores: Chores) -> None:
    """Freed C memory back to the system now and then (openror.allocator)."""
    every = settings.memory_trim_interval_seconds
    while every > 0:
        await asyncio.sleep(every)
        try:
            await chores.run(allocator.trim)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.app").exception("memory trim failed")


async def _send_mail(services: Services, backend: MailBackend, chores: Chores) -> None:
    """Deliver the mail outbox (every worker may: rows are claimed, services.mailer)."""
    every = services.settings.mail_send_interval_seconds
    while every > 0:
        try:
            await chores.run(mailer.send_pending, services.db, backend,
                             services.settings.mail_from)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.mail").exception("mail delivery failed")
        await asyncio.sleep(every)


async def _remind(services: Services, chores: Chores) -> None:
    """Freshness reminders to the owners of overdue offers (quality.reminders), first at
    start: a server restarted daily would otherwise never remind anybody."""
    settings = services.settings
    every = settings.quality_remind_interval_seconds
    reminders = Reminders(services.db, OWNERSHIP, settings.quality_remind_after_days,
                          settings.quality_remind_every_days, settings.base_url)
    while every > 0:
        try:
            await chores.run(reminders.run)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.quality").exception("freshness reminders failed")
        await asyncio.sleep(every)


async def _quality_run(services: Services, chores: Chores) -> None:
    """The scheduled quality run (quality.schedule): every process asks, at most every hour,
    and one of them runs it when it is due."""
    every = services.settings.quality_run_interval_seconds
    writer = SystemTaskWriter(services.writes, "quality-run")
    measures = SystemMeasureWriter(services.writes)
    while every > 0:
        try:
            await chores.run(schedule.run_if_due, services.db, services.terminology, every,
                             writer, measures)
        except Exception:  # never let a background chore take the server down
            logging.getLogger("openror.quality").exception("scheduled quality run failed")
        await asyncio.sleep(min(every, 3600))
