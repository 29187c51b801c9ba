"""Operations routes: /healthz (alive), /readyz (Redis reachable, lag bounded), /metrics."""

from __future__ import annotations

import contextlib
from typing import Final

from aiohttp import web
from redis.exceptions import RedisError

from bot.live import RUNTIME
from bot.metrics import CONTENT_TYPE

READY_MAX_BACKLOG: Final = 10_000  # more entries waiting than this: not ready


async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Redis answers and the backlog is under bound."""
    runtime = request.app[RUNTIME]
    try:
        stats = await runtime.queue.stats()
    except (RedisError, OSError) as exc:
        return web.json_response({"status": "unavailable", "redis": type(exc).__name__}, status=503)
    ready = stats.length <= READY_MAX_BACKLOG
    return web.json_response(
        {
            "status": "ok" if ready else "lagging",
            "stream_length": stats.length,
            "pending": stats.pending,
            "dead": stats.dead,
        },
        status=200 if ready else 503,
    )


async def metrics_view(request: web.Request) -> web.Response:
    """Prometheus text format; queue gauges are refreshed at scrape time."""
    runtime = request.app[RUNTIME]
    if runtime.spool is not None:
        oldest = runtime.spool.oldest_ms
        now_ms = runtime.deps.clock.now().timestamp() * 1000
        age = max(now_ms - oldest, 0) / 1000 if oldest is not None else 0.0
        runtime.metrics.set_spool(runtime.spool.size, age)
    with contextlib.suppress(RedisError, OSError):  # stale gauges beat a failed scrape
        runtime.metrics.set_queue(await runtime.queue.stats())
    response = web.Response(body=runtime.metrics.render())
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


def ops_routes() -> list[web.RouteDef]:
    """The operations routes."""
    return [
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/metrics", metrics_view),
    ]
