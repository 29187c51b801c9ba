"""create_app: the one factory production, tests, the demo and the benchmark all use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import StrEnum

from aiohttp import web

from bot.admin.auth import admin_auth
from bot.clock import Clock, SystemClock
from bot.dispatch import Router
from bot.gateway import Gateway
from bot.live import RUNTIME
from bot.metrics import Metrics
from bot.ops import ops_routes
from bot.runtime import running
from config.settings import Settings
from handlers import admin_routes, build_express_router, build_root_router


class Role(StrEnum):
    """What a siyu process does."""

    ALL = "all"
    GATEWAY = "gateway"
    WORKER = "worker"
    SCHEDULER = "scheduler"  # stands for election as the reminders scheduler's leader


def create_app(
    settings: Settings,
    *,
    role: Role = Role.ALL,
    clock: Clock | None = None,
    router: Router | None = None,
    express_router: Router | None = None,
) -> web.Application:
    """The aiohttp app: callback routes (gateway), workers (worker), ops routes (always).

    ``router``/``express_router``: the main and express lanes' handlers (default: siyu's; a
    given ``router`` alone leaves the express lane without handlers).
    """
    app = web.Application(middlewares=[admin_auth(settings.admin)])
    metrics = Metrics()
    the_clock = clock or SystemClock()
    works = role in {Role.ALL, Role.WORKER}
    work_router = (router or build_root_router()) if works else None
    if router is None and express_router is None:
        express_router = build_express_router()
    schedules = role in {Role.ALL, Role.SCHEDULER}

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with running(
            settings,
            the_clock,
            work_router,
            metrics,
            scheduler=schedules,
            express_router=express_router,
        ) as runtime:
            app[RUNTIME] = runtime
            yield

    app.cleanup_ctx.append(lifecycle)
    if role in {Role.ALL, Role.GATEWAY}:
        app.add_routes(Gateway.create(settings, the_clock, metrics).routes())
        app.add_routes(admin_routes())
    app.add_routes(ops_routes())
    return app
