"""Running siyu as a service: ``siyu serve`` with a role, graceful on SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

from aiohttp import web

from bot.app import Role, create_app
from bot.clock import SystemClock
from bot.dispatch import Router
from bot.metrics import Metrics
from bot.runtime import running
from config.settings import Settings
from handlers import build_express_router, build_root_router

logger = logging.getLogger(__name__)

_GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)


def serve(settings: Settings, role: Role, *, router: Router | None = None) -> None:
    """Run until SIGTERM/SIGINT: stop accepting, finish in-flight requests, drain workers.

    ``router``: the main lane's handlers (default: siyu's, from handlers/).
    """
    if role == Role.WORKER:
        asyncio.run(_run_headless_worker(settings, router))
        return
    if role == Role.SCHEDULER:
        asyncio.run(_run_headless_scheduler(settings))
        return
    app = create_app(settings, role=role, router=router)
    app.on_startup.append(_settle_garbage_collector)
    web.run_app(
        app,
        host=settings.server.host,
        port=settings.server.port,
        shutdown_timeout=settings.server.shutdown_timeout_seconds,
        access_log=None,  # query strings carry signatures; the gateway logs outcomes itself
        print=None,
    )


async def _settle_garbage_collector(app: web.Application) -> None:
    """``settle_garbage_collector`` once the app has started."""
    settle_garbage_collector()


def settle_garbage_collector() -> None:
    """Move start-up objects out of the collector's sight and collect young objects less often.

    Full collections walking every long-lived object stalled all in-flight callbacks for
    20-35 ms under load (the p99 of ``siyu bench ingest``); frozen objects are not walked.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, 20, 50)


async def _run_headless_worker(settings: Settings, router: Router | None) -> None:
    """A worker-only process: no HTTP server, same resources and shutdown order."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with running(settings, SystemClock(), router or build_root_router(), Metrics(),
                       express_router=build_express_router()):  # fmt: skip
        settle_garbage_collector()
        logger.info("worker running; SIGTERM drains and stops it")
        await stopping.wait()
        logger.info("stopping: draining workers")


async def _run_headless_scheduler(settings: Settings) -> None:
    """A scheduler-only process: stands by or leads; SIGTERM releases the lease at once."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with running(settings, SystemClock(), None, Metrics(), scheduler=True):
        logger.info("scheduler running; SIGTERM releases the lease and stops it")
        await stopping.wait()
