"""Operations routes: /healthz (alive), /readyz (Redis reachable, lag bounded), /metrics.

/healthz answers anyone (load balancers probe it). /readyz and /metrics tell the backlog,
dead letters and traffic: they answer only a peer on a private or loopback address that
did not come through a proxy (no forwarding header), so the callback port can face the
internet. Everyone else gets 404, as if they were not there.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

from aiohttp import web
from redis.exceptions import RedisError

from bot.live import RUNTIME
from bot.metrics import CONTENT_TYPE

READY_MAX_BACKLOG: Final = 10_000  # more entries waiting than this: not ready
_FORWARDING: Final = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
Handler = Callable[[web.Request], Awaitable[web.Response]]


def is_private_peer(remote: str | None, headers: Mapping[str, str]) -> bool:
    """The request came straight from a private or loopback address (or a unix socket)."""
    if any(name in headers for name in _FORWARDING):
        return False  # through a proxy: whoever is behind it may be anyone
    if remote is None or remote == "":
        return True  # a unix socket: only this machine
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_private or address.is_loopback


def private(handler: Handler) -> Handler:
    """Answer only private peers; 404 to everyone else."""

    async def guarded(request: web.Request) -> web.Response:
        if not is_private_peer(request.remote, request.headers):
            raise web.HTTPNotFound
        return await handler(request)

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


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
        web.get("/readyz", private(readyz)),
        web.get("/metrics", private(metrics_view)),
    ]
