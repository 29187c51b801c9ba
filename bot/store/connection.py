"""One Redis client per process role: a server, a Sentinel-watched primary, a Cluster, or the
embedded server (bot/store/embedded.py), all through one ``connect``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.store.embedded import EmbeddedRedis
from bot.store.topology import cluster_client, sentinel_client
from config.settings import RedisSettings

logger = logging.getLogger(__name__)

MAX_CONNECTIONS = 128  # per client (process role); more callers wait for a free connection


def connect(where: str | RedisSettings, timeout_seconds: float) -> Redis:
    """A client with short timeouts: callers decide what failure means.

    ``where``: a redis-py URL, or the ``[redis]`` settings (url, sentinels or cluster_nodes;
    resolve an embedded server first with ``resolved``). The gateway must answer WeCom 503
    within a second when Redis is gone, so a failed command is retried once at most (a dead
    pooled connection after a Redis restart); WeCom's own retry (3 tries) re-sends the callback.
    """
    options: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": timeout_seconds,
        "socket_connect_timeout": timeout_seconds,
        "retry": Retry(NoBackoff(), 1),  # one immediate retry: a pooled connection may be stale
        "health_check_interval": 0,
    }
    if isinstance(where, RedisSettings):
        if where.sentinels:
            return sentinel_client(where, {**options, "timeout": timeout_seconds}, MAX_CONNECTIONS)
        if where.cluster_nodes:
            return cluster_client(where, options, MAX_CONNECTIONS)
        if where.password is not None:
            options["password"] = where.password.get_secret_value()
        where = where.url
    # A blocking pool: when every connection is busy a caller waits (up to the timeout) for
    # one to come back; redis-py's default pool raises MaxConnectionsError at once instead.
    pool = BlockingConnectionPool.from_url(
        where, max_connections=MAX_CONNECTIONS, timeout=timeout_seconds, **options
    )
    return Redis.from_pool(pool)  # the client owns the pool and closes it


@asynccontextmanager
async def resolved(settings: RedisSettings) -> AsyncIterator[RedisSettings]:
    """Yield ``settings``, with the URL of an embedded server started for the duration when
    no server is configured."""
    if not settings.embedded:
        yield settings
        return
    async with redis_url(settings) as url:
        yield settings.model_copy(update={"url": url})


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
    """Yield a client of the configured (or embedded) Redis, closed on exit."""
    async with resolved(settings) as where:
        client = connect(where, settings.timeout_seconds)
        try:
            yield client
        finally:
            await client.aclose()
