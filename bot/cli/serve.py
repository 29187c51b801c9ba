"""Running siyu as a service: ``siyu serve`` with a role, graceful on SIGTERM."""

from __future__ import annotations

import gc
import logging
from typing import Final

from aiohttp import web

from bot.app import Role, create_app
from bot.cli.samples import sampled_gauges
from bot.dispatch import Router
from config.settings import Settings

logger = logging.getLogger(__name__)

_GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)


# APScheduler logs every run of the scheduler's sub-second jobs at INFO ("Running job ...",
# "executed successfully"): thousands of lines an hour that say nothing. Its warnings stay.
_QUIET_LOGGERS: Final = ("apscheduler.executors.default", "apscheduler.scheduler")


def serve(settings: Settings, role: Role, *, router: Router | None = None) -> None:
    """Run until SIGTERM/SIGINT: stop accepting, finish in-flight requests, drain workers.

    ``router``: the main lane's handlers (default: siyu's, from handlers/). A gateway (or the
    all-in-one process) listens on ``[server]``; a worker-only or scheduler-only process
    serves only /healthz, /readyz and /metrics, on ``[observability]`` (keep it private).
    """
    quiet_scheduler_logs()
    app = create_app(settings, role=role, router=router)
    app.on_startup.append(_settle_garbage_collector)
    app.cleanup_ctx.append(sampled_gauges)  # after create_app's: the runtime exists by then
    served = {Role.ALL, Role.GATEWAY, Role.ADMIN}
    listener = settings.server if role in served else settings.observability
    logger.info("%s role listening on %s:%d", role.value, listener.host, listener.port)
    web.run_app(
        app,
        host=listener.host,
        port=listener.port,
        shutdown_timeout=settings.server.shutdown_timeout_seconds,
        access_log=None,  # query strings carry signatures; the gateway logs outcomes itself
        print=None,
    )


def quiet_scheduler_logs() -> None:
    """APScheduler's per-run INFO lines down to WARNING (kept at log_level = "DEBUG")."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


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
