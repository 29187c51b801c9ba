"""The scheduler leader queues the group-campaigns tick, once per minute whoever leads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.queue import EventQueue
from tests.conftest import make_settings
from tests.support.wecom import eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


async def test_the_leader_queues_one_campaigns_tick_per_minute(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(redis_url, reminders={"poll_seconds": 0.05, "renew_seconds": 0.2})
    await aiohttp_client(create_app(settings, role=Role.SCHEDULER, clock=clock))
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def ticked() -> bool:
        return any(fields["kind"] == "campaigns_tick" for _id, fields in await queue.peek())

    await eventually(ticked)
    ticks = [f for _id, f in await queue.peek() if f["kind"] == "campaigns_tick"]
    assert len(ticks) == 1, "one tick for this minute, however often the job runs"
