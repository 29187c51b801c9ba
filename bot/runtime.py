"""The live parts of a running siyu: Redis, the queue, the workers, and their lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.deps import Deps
from bot.dispatch import Dispatcher, Router
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.store.connection import open_redis
from bot.store.ledger import Ledger
from bot.worker import Worker
from config.settings import Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    """Shared by the routes and background tasks of one process."""

    settings: Settings
    redis: Redis
    queue: EventQueue
    metrics: Metrics
    deps: Deps


RUNTIME: Final = web.AppKey("runtime", Runtime)


@contextlib.asynccontextmanager
async def running(
    settings: Settings, clock: Clock, router: Router | None, metrics: Metrics
) -> AsyncIterator[Runtime]:
    """Redis (embedded or not), the queue and, if ``router`` is given, the workers.

    On exit the workers finish their current batch before Redis is closed.
    """
    async with open_redis(settings.redis) as redis:
        queue = EventQueue(redis, settings.wecom.corp_id, settings.queue.dedup_ttl_seconds)
        deps = Deps(settings, redis, Ledger(redis, settings.wecom.corp_id), clock)
        with contextlib.suppress(RedisError, OSError):  # a gateway may start before Redis
            await queue.ensure_group()
        runtime = Runtime(settings, redis, queue, metrics, deps)
        if router is None:
            yield runtime
            return
        stop = asyncio.Event()
        worker = Worker(queue, Dispatcher(router), deps, settings.queue, metrics)
        task = asyncio.create_task(worker.run(stop), name="siyu-worker")
        try:
            yield runtime
        finally:
            stop.set()
            await task
