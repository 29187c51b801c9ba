"""Durability across failures: a worker killed with SIGKILL, and Redis going away."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.queue import EventQueue
from bot.store import keys
from bot.store.embedded import EmbeddedRedis
from tests.conftest import make_settings
from tests.support.processes import start, write_config
from tests.support.sandboxed import sandbox_and_settings
from tests.support.wecom import eventually, signed, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
EVENTS = 60


async def test_worker_killed_mid_batch_loses_nothing_and_repeats_no_effect(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, tmp_path: Path
) -> None:
    sandbox, settings = await sandbox_and_settings(
        aiohttp_client,
        redis_url,
        queue={
            "consumers": 2,
            "batch_size": 8,
            "claim_idle_seconds": 0.5,
            "janitor_interval_seconds": 0.1,
            "block_ms": 100,
        },
    )
    config = write_config(settings, tmp_path / "siyu.toml")
    gateway = await aiohttp_client(create_app(settings, role=Role.GATEWAY))
    url = str(gateway.make_url("/wecom/callback"))
    await sandbox.post("/sandbox/callback_url", json={"app": "default", "url": url})
    for n in range(EVENTS):  # WeCom's own callbacks: customers add staff, staff write
        if n % 2:
            await sandbox.post("/sandbox/staff/zhangwei/message", json={"text": f"第{n}条"})
        else:
            await sandbox.post(
                f"/sandbox/customers/wmCRASH{n:03d}/add",
                json={"staff": "zhangwei", "state": "ch_poster_a"},
            )
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def all_accepted() -> bool:  # on the main lane (adds are copied to the express lane)
        return int(await redis.xlen(keys.events(settings.wecom.corp_id))) == EVENTS

    await eventually(all_accepted, timeout=30)
    effects = keys.demo_effects(settings.wecom.corp_id)

    slow = await start("-m", "tests.support.slow_worker", str(config))
    try:

        async def some_done() -> bool:
            return int(await redis.hlen(effects)) >= 10

        await eventually(some_done, timeout=30)
    finally:
        slow.kill()  # SIGKILL: no cleanup, no ack of the batch in flight
        await slow.wait()
    assert (await queue.stats()).pending > 0, "the kill should leave entries pending"
    assert int(await redis.hlen(effects)) < EVENTS

    worker = await start("-m", "tests.support.journaled_serve", str(config), "worker")
    try:

        async def all_done() -> bool:
            stats = await queue.stats()
            return stats.length == 0 and stats.pending == 0

        await eventually(all_done, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        exit_code = await asyncio.wait_for(worker.wait(), timeout=15)
    assert exit_code == 0, "SIGTERM drains and exits cleanly"
    counts = await redis.hvals(effects)
    assert len(counts) == EVENTS, "every accepted event reached its handler"
    assert set(counts) == {"1"}, "each ledger-guarded effect happened exactly once"
    assert (await queue.stats()).dead == 0


async def test_redis_unreachable_spools_fast_and_replays_in_order_after(
    aiohttp_client: ClientFactory, clock: ManualClock, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    url = server.start()
    try:
        settings = make_settings(
            url, spool={"dir": str(tmp_path / "spool"), "replay_interval_seconds": 0.05}
        )
        client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
        before = signed(settings, text_message(settings, "before the outage"))
        response = await client.post("/wecom/callback", params=before.query, data=before.body)
        assert response.status == 200

        server.kill()
        during = signed(settings, text_message(settings, "during the outage"))
        started = time.monotonic()
        response = await client.post("/wecom/callback", params=during.query, data=during.body)
        assert response.status == 200, "spooled, not refused"
        assert time.monotonic() - started < 1.0
        assert (await client.get("/readyz")).status == 503
        metrics = await (await client.get("/metrics")).text()
        assert 'siyu_callbacks_total{app="default",result="spooled"} 1.0' in metrics

        server.start()  # same data dir: the AOF brings back what was accepted
        check = Redis.from_url(url, decode_responses=True)
        try:
            queue = EventQueue(check, settings.wecom.corp_id)

            async def replayed() -> bool:
                return len(await queue.peek()) == 2

            await eventually(replayed, timeout=10)
            contents = [fields["xml"] for _id, fields in await queue.peek()]
        finally:
            await check.aclose()
        assert "before the outage" in contents[0]
        assert "during the outage" in contents[1]
    finally:
        server.stop()
