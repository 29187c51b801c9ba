"""One Redis connection pool per process, to the configured server or the embedded one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.store.embedded import EmbeddedRedis
from config.settings import RedisSettings

logger = logging.getLogger(__name__)

MAX_CONNECTIONS = 128  # per client (process role); more callers wait for a free connection


def connect(url: str, timeout_seconds: float) -> Redis:
    """A client with short timeouts and one immediate retry: callers decide what failure means.

    The gateway must answer WeCom 503 within a second when Redis is gone, so a failed
    command is retried once at most (a dead pooled connection after a Redis restart); WeCom's
    own retry (3 tries) re-sends the callback.
    """
    # A blocking pool: when every connection is busy a caller waits (up to the timeout) for
    # one to come back; redis-py's default pool raises MaxConnectionsError at once instead.
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=timeout_seconds,
        decode_responses=True,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        retry=Retry(NoBackoff(), 1),  # one immediate retry: a pooled connection may be stale
        health_check_interval=0,
    )
    return Redis.from_pool(pool)  # the client owns the pool and closes it


@asynccontextmanager
async def redis_url(settings: RedisSettings) -> AsyncIterator[str]:
    """Yield ``settings.url``, or the URL of an embedded server started for the duration."""
    if settings.url:
        yield settings.url
        return
    embedded = EmbeddedRedis(settings.data_dir, settings.appendfsync)
    url = await asyncio.to_thread(embedded.start)
    try:
        yield url
    finally:
        await asyncio.to_thread(embedded.stop)


@asynccontextmanager
async def open_redis(settings: RedisSettings) -> AsyncIterator[Redis]:
    """Yield a client of the configured (or embedded) server, closed on exit."""
    async with redis_url(settings) as url:
        client = connect(url, settings.timeout_seconds)
        try:
            yield client
        finally:
            await client.aclose()
