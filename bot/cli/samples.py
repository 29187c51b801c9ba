"""Gauges a ``siyu serve`` process samples from Redis: its lanes' backlogs and whether it
leads the scheduler. Sampled in the background, so a scrape never waits on Redis for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

from aiohttp import web
from redis.exceptions import RedisError

from bot.live import RUNTIME, Runtime
from bot.store import keys
from scheduler.runner import holder_name

logger = logging.getLogger(__name__)

SAMPLE_SECONDS: Final = 2.0


async def sample_once(runtime: Runtime, holder: str) -> None:
    """Set the lane and leadership gauges from Redis once."""
    scale = runtime.metrics.scale
    scale.set_lanes(await runtime.queue.lane_stats())
    lease = await runtime.redis.get(keys.scheduler_lease(runtime.settings.wecom.corp_id))
    scale.set_leader(str(lease or "").startswith(f"{holder}|"))


async def sampled_gauges(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: sample every SAMPLE_SECONDS while the app runs (after its runtime)."""
    holder = holder_name()

    async def loop() -> None:
        while True:
            with contextlib.suppress(RedisError, OSError):  # stale gauges beat a dead loop
                await sample_once(app[RUNTIME], holder)
            await asyncio.sleep(SAMPLE_SECONDS)

    task = asyncio.create_task(loop(), name="siyu-gauges")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
