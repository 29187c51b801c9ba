"""create_app: the one factory production, tests, the demo and the benchmark all use."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Final

from aiohttp import web

from bot.admin.middleware import api_errors
from bot.clock import Clock, SystemClock
from bot.dispatch import Router
from bot.gateway import Gateway
from bot.live import RUNTIME
from bot.metrics import Metrics
from bot.ops import ops_routes
from bot.runtime import ComponentsFactory, running
from bot.web import setup_console
from config.settings import Settings

logger = logging.getLogger(__name__)

# The separate admin listener's runner (only with ``[admin] port``): tests read its address.
ADMIN_RUNNER: Final = web.AppKey("admin_runner", web.AppRunner)


class Role(StrEnum):
    """What a siyu process does."""

    ALL = "all"
    GATEWAY = "gateway"  # the callback endpoint only: it loads no concern
    WORKER = "worker"
    SCHEDULER = "scheduler"  # stands for election as the reminders scheduler's leader
    ADMIN = "admin"  # /api/v1 and the console, for operators (keep it off the internet)


def create_app(
    settings: Settings,
    *,
    role: Role = Role.ALL,
    clock: Clock | None = None,
    router: Router | None = None,
    express_router: Router | None = None,
) -> web.Application:
    """The aiohttp app: callback routes (gateway), workers (worker), /api/v1 and the console
    (admin), ops routes (always).

    ``router``/``express_router``: the main and express lanes' handlers (default: siyu's; a
    given ``router`` alone leaves the express lane without handlers). The all-in-one process
    serves /api/v1 and the console on its port or, with ``[admin] port``, on a listener of its
    own. A gateway alone serves only the callback endpoint and imports no concern: the domain
    (handlers/) is loaded only by the roles that run it.
    """
    app = web.Application(middlewares=[api_errors])
    metrics = Metrics()
    the_clock = clock or SystemClock()
    works = role in {Role.ALL, Role.WORKER}
    administers = role in {Role.ALL, Role.ADMIN}
    components: ComponentsFactory | None = None
    work_router: Router | None = None
    if works or administers:  # a gateway alone loads no concern
        from handlers import (  # noqa: PLC0415
            build_components,
            build_express_router,
            build_root_router,
        )

        components = build_components
        work_router = (router or build_root_router()) if works else None
        if router is None and express_router is None:
            express_router = build_express_router()
    schedules = role in {Role.ALL, Role.SCHEDULER}
    separate = role == Role.ALL and settings.admin.port is not None

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with running(
            settings,
            the_clock,
            work_router,
            metrics,
            scheduler=schedules,
            express_router=express_router,
            components=components,
        ) as runtime:
            app[RUNTIME] = runtime
            if not separate:
                yield
                return
            admin = web.Application(middlewares=[api_errors])
            admin[RUNTIME] = runtime
            _administer(admin)
            runner = app[ADMIN_RUNNER] = web.AppRunner(
                admin, access_log=None, shutdown_timeout=settings.server.shutdown_timeout_seconds
            )
            await runner.setup()
            try:
                await web.TCPSite(runner, settings.admin.host, settings.admin.port).start()
                logger.info("admin API listening on %s", runner.addresses)
                yield
            finally:
                await runner.cleanup()

    app.cleanup_ctx.append(lifecycle)
    if role in {Role.ALL, Role.GATEWAY}:
        app.add_routes(Gateway.create(settings, the_clock, metrics).routes())
    if administers and not separate:
        _administer(app)
    app.add_routes(ops_routes())
    return app


def _administer(app: web.Application) -> None:
    """/api/v1 and the console: every concern's routes and pages."""
    from handlers import admin_routes, console_pages  # noqa: PLC0415 - only for these roles

    app.add_routes(admin_routes())
    setup_console(app, console_pages())
