"""The express lane reclaims an add a killed worker left pending well inside the 20 s code."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import create_app
from bot.dispatch import Router
from bot.events import parse_event
from bot.lanes import EXPRESS
from bot.queue import EventQueue
from bot.store import keys
from tests.conftest import make_settings
from tests.support import journal
from tests.support.wecom import contact_added, eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


async def test_an_add_left_pending_by_a_dead_consumer_is_claimed_within_the_express_idle(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis
) -> None:
    settings = make_settings(
        redis_url,
        queue={
            "claim_idle_seconds": 30,
            "express_claim_idle_seconds": 0.5,
            "janitor_interval_seconds": 0.1,
            "block_ms": 50,
        },
    )
    corp = settings.wecom.corp_id
    main = EventQueue(redis, corp)
    await main.ensure_group()
    added = parse_event(contact_added(settings, "wmRECLAIM"))
    xml = contact_added(settings, "wmRECLAIM")
    await main.enqueue("default", added.kind, added.dedup_key, xml, express=True)
    express = EventQueue(redis, corp, lane=EXPRESS)
    [taken] = await express.read_new("host-4242-0", 1, 10)  # a worker SIGKILLed mid-welcome
    assert (await express.stats()).pending == 1
    started = time.monotonic()

    await aiohttp_client(create_app(settings, router=Router("main"), express_router=journal.router))

    async def welcomed() -> bool:
        return await redis.hget(keys.demo_effects(corp), taken.dedup_key) == "1"

    await eventually(welcomed, timeout=10)
    assert time.monotonic() - started < 5, "claimed inside the welcome code's 20 s, not at 30 s"
    assert (await express.lane_stats())[EXPRESS].pending == 0
