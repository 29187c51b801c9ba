"""The live parts of a running siyu: Redis, the queue, the workers, and their lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.daily import DayCounts, flushing
from bot.deps import Components, Deps
from bot.dispatch import Dispatcher, Router
from bot.live import Runtime
from bot.metrics import Metrics
from bot.priority import LanePriority
from bot.queue import EventQueue
from bot.spool import Spool
from bot.spool_replay import Replayer, replaying
from bot.store.connection import connect, resolved
from bot.store.ledger import Ledger
from bot.wecom.api import open_wecom
from bot.worker import Worker
from config.settings import RedisSettings, Settings
from scheduler.runner import leader_elected_scheduler

DAY_COUNTS_FLUSH_SECONDS: Final = 1.0  # the per-day counts reach Redis within this


class ComponentsFactory(Protocol):
    """``handlers.build_components``: what the runtime is handed by the wiring."""

    async def __call__(
        self, settings: Settings, redis: Redis, clock: Clock, ledger: Ledger, *, workers: bool
    ) -> Components: ...


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    clock: Clock,
    router: Router | None,
    metrics: Metrics,
    *,
    scheduler: bool = False,
    express_router: Router | None = None,
    components: ComponentsFactory | None = None,
) -> AsyncIterator[Runtime]:
    """Redis (embedded or not), the queue and, if ``router`` is given, the workers.

    ``router`` runs on the main lane; ``express_router`` (none: nothing) on the express lane.
    ``scheduler``: also stand for election as the reminders scheduler's leader.
    ``components``: builds the concerns' components (the wiring's ``build_components``);
    none for a gateway alone, which then loads no concern at all.

    On exit the workers finish their current batch before Redis is closed.
    """
    async with resolved(settings.redis) as where:
        redis = connect(where, settings.redis.timeout_seconds)
        try:
            queue = EventQueue(redis, settings.wecom.corp_id, settings.queue.dedup_ttl_seconds)
            with contextlib.suppress(RedisError, OSError):  # a gateway may start before Redis
                await queue.ensure_group()
            async with open_wecom(settings, redis, clock, metrics.scale) as wecom:
                ledger = Ledger(redis, settings.wecom.corp_id)
                built = (
                    await components(settings, redis, clock, ledger, workers=router is not None)
                    if components is not None
                    else Components()  # a gateway alone: no concern's components
                )
                deps = Deps(settings, redis, ledger, clock, wecom, queue, metrics, built)
                spool = Spool(settings.spool_dir(), settings.spool.max_bytes)
                runtime = Runtime(settings, redis, queue, metrics, deps, spool)
                async with contextlib.AsyncExitStack() as stack:
                    if router is not None or scheduler:  # the counts land after the drain
                        metrics.day = DayCounts(
                            redis, settings.wecom.corp_id, clock, ZoneInfo(settings.timezone)
                        )
                        await stack.enter_async_context(
                            flushing(metrics.day, DAY_COUNTS_FLUSH_SECONDS)
                        )
                    await stack.enter_async_context(
                        replaying(
                            Replayer(spool, queue, metrics), settings.spool.replay_interval_seconds
                        )
                    )
                    if scheduler:
                        await stack.enter_async_context(
                            leader_elected_scheduler(settings, redis, queue, clock)
                        )
                    if router is not None:
                        await stack.enter_async_context(
                            _workers(where, settings, router, express_router, deps, metrics)
                        )
                    yield runtime
        finally:
            await redis.aclose()


@contextlib.asynccontextmanager
async def _workers(  # noqa: PLR0917 - each is a different part
    where: RedisSettings,
    settings: Settings,
    main_router: Router,
    express_router: Router | None,
    deps: Deps,
    metrics: Metrics,
) -> AsyncIterator[None]:
    """The main and the express lane's consumers, on a client of their own: their blocking
    reads outlast the short timeout."""
    blocking = connect(where, settings.redis.timeout_seconds + settings.queue.block_ms / 1000)
    main = EventQueue(blocking, settings.wecom.corp_id, settings.queue.dedup_ttl_seconds)
    [express] = main.other_lanes()
    express_settings = settings.queue.model_copy(
        update={
            "consumers": settings.queue.express_consumers,
            "batch_size": settings.queue.express_batch_size,
            "claim_idle_seconds": settings.queue.express_claim_idle_seconds,  # inside a code's 20 s
        }
    )
    priority = LanePriority(settings.queue.express_priority_seconds)
    workers = [
        Worker(main, Dispatcher(main_router), deps, settings.queue, metrics, priority),
        Worker(
            express,
            Dispatcher(express_router or Router(name="express")),
            deps,
            express_settings,
            metrics,
            priority,
        ),
    ]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(worker.run(stop), name=f"siyu-worker-{worker.queue.lane}")
        for worker in workers
    ]
    try:
        yield
    finally:
        stop.set()  # consumers finish their batch, then return
        await asyncio.gather(*tasks)
        await blocking.aclose()
