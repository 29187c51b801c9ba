"""Pulling exactly once: concurrent notifications for one account with thousands of messages
waiting → each message queued once, none skipped, the cursor ends at the sandbox's last."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from bot.events import parse_event
from bot.events.chat_messages import ChatMessageEvent
from bot.queue import EventQueue
from bot.sandbox.api.lookups import encode_cursor
from bot.sandbox.records import KfMessage, OneShotCode
from bot.sandbox.world import WORLD, World
from bot.store import keys
from handlers.conversations.kf import KfPuller
from tests.bot.wecom.conftest import Harness

KF = "wkDEMOkf0001"
WAITING = 2500


def world_of(harness: Harness) -> World:
    app = harness.sandbox.http.app
    assert app is not None
    return app[WORLD]


def fill(world: World, count: int) -> list[str]:
    """``count`` more customer messages from 50 customers, and 3 notification tokens."""
    corp, now = world.corp, world.now()
    for n in range(len(corp.kf_log), len(corp.kf_log) + count):
        customer = f"wmKFbulk{n % 50:04d}"
        text = {"content": f"第{n}条"}
        message = KfMessage(
            corp.next_seq(), f"bulk{n:05d}", KF, customer, int(now.timestamp()), 3, "text", text
        )
        corp.kf_log.append(message)
    tokens = [f"ENCbulk{len(corp.kf_tokens) + n}" for n in range(3)]
    for token in tokens:
        corp.kf_tokens[token] = OneShotCode(token, KF, "", now)
    return tokens


async def queued(redis: Redis, corp: str) -> list[ChatMessageEvent]:
    entries = await EventQueue(redis, corp).peek(WAITING * 2)
    events = [parse_event(fields["xml"]) for _, fields in entries]
    return [event for event in events if isinstance(event, ChatMessageEvent)]


async def test_three_concurrent_pulls_queue_each_message_once(
    harness: Harness, redis: Redis
) -> None:
    corp = harness.settings.wecom.corp_id
    world = world_of(harness)
    tokens = fill(world, WAITING)
    # slow pages, so the three notifications overlap the first pull
    await harness.sandbox.control("POST", "faults", {"api": "kf/sync_msg", "latency_ms": 40})

    def puller() -> KfPuller:
        return KfPuller(harness.api.kf, EventQueue(redis, corp), redis, corp, "default")

    reports = await asyncio.gather(*(puller().pull(KF, token) for token in tokens))

    assert sum(r.queued for r in reports) == WAITING
    assert sum(r.duplicates for r in reports) == 0, "no page was read twice"
    assert sum(r.busy for r in reports) >= 1, "the others left it to the puller at work"
    events = await queued(redis, corp)
    counts = Counter(event.message.msgid for event in events)
    assert len(counts) == WAITING and set(counts.values()) == {1}
    assert [e.message.text for e in events] == [f"第{n}条" for n in range(WAITING)], "in order"
    last = encode_cursor(world.corp.kf_log[-1].seq)
    assert await redis.get(keys.kf_cursor(corp, KF)) == last
    assert not await redis.exists(keys.kf_pull_lock(corp, KF)), "the lock was let go"


async def test_news_during_a_pull_is_read_before_the_lock_goes(
    harness: Harness, redis: Redis
) -> None:
    corp = harness.settings.wecom.corp_id
    world = world_of(harness)
    [first, second, _] = fill(world, 1500)
    await harness.sandbox.control("POST", "faults", {"api": "kf/sync_msg", "latency_ms": 40})
    queue = EventQueue(redis, corp)
    holder = KfPuller(harness.api.kf, queue, redis, corp, "default", page_size=500)
    pulling = asyncio.create_task(holder.pull(KF, first))
    await asyncio.sleep(0.05)  # the first page is on its way
    fill(world, 10)  # news arrives meanwhile, and its notification finds the lock taken
    late = await KfPuller(harness.api.kf, queue, redis, corp, "default").pull(KF, second)
    assert late.busy
    report = await pulling
    assert report.queued == 1510, "the holder read the news too"
    assert await redis.get(keys.kf_cursor(corp, KF)) == encode_cursor(world.corp.kf_log[-1].seq)


async def test_a_pull_longer_than_the_lock_ttl_keeps_its_lock(
    harness: Harness, redis: Redis
) -> None:
    corp = harness.settings.wecom.corp_id
    world = world_of(harness)
    [first, second, _] = fill(world, WAITING)
    # 25 slow pages: the pull lasts several times the lock's original TTL
    await harness.sandbox.control("POST", "faults", {"api": "kf/sync_msg", "latency_ms": 40})
    seen: list[str] = []

    async def observe(_: str, item: Mapping[str, Any]) -> None:
        seen.append(str(item["msgid"]))

    def puller() -> KfPuller:
        queue = EventQueue(redis, corp)
        return KfPuller(
            harness.api.kf,
            queue,
            redis,
            corp,
            "default",
            page_size=100,
            observer=observe,
            lock_seconds=0.3,
        )

    started = time.monotonic()
    pulling = asyncio.create_task(puller().pull(KF, first))
    late: list[tuple[bool, bool]] = []  # (busy, the first pull had ended meanwhile)
    refused_late = 0  # refusals more than twice the original TTL after the start
    while not pulling.done():  # a second puller keeps trying, long after the original TTL
        await asyncio.sleep(0.1)
        busy = (await puller().pull(KF, second)).busy
        late.append((busy, pulling.done()))
        refused_late += busy and time.monotonic() - started > 2 * 0.3
    report = await pulling

    assert refused_late >= 2, "refused for several times the original TTL"
    assert all(busy or ended for busy, ended in late), "never taken while the first pulled"
    assert report.queued == WAITING
    counts = Counter(seen)
    assert len(counts) == WAITING and set(counts.values()) == {1}, "each message handled once"
    assert await redis.get(keys.kf_cursor(corp, KF)) == encode_cursor(world.corp.kf_log[-1].seq)
    assert not await redis.exists(keys.kf_pull_lock(corp, KF)), "the lock was let go"
    assert report.renewals >= 3, "the watchdog extended the lock"
