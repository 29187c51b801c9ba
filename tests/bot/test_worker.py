"""Workers on the real Redis: ack after handling, retries, dead letters, replay, the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock, SystemClock
from bot.deps import Deps
from bot.dispatch import Router
from bot.events import (
    Event,
    ExternalContactAdded,
    ExternalContactEvent,
    TextMessage,
    parse_event,
)
from bot.queue import EventQueue
from bot.store import keys
from bot.store.ledger import Ledger
from bot.wecom.errors import RateLimited
from bot.worker import ordering_key
from config.settings import Settings
from handlers import build_root_router
from tests.conftest import make_settings
from tests.support import journal
from tests.support.wecom import (
    contact_added,
    eventually,
    follow_user_deleted,
    signed,
    text_message,
)

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


async def post(
    client: TestClient[web.Request, web.Application], settings: Settings, xml: str
) -> None:
    callback = signed(settings, xml)
    response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
    assert response.status == 200


async def test_accepted_event_reaches_its_handler_and_is_acked(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> None:
    seen: list[str] = []
    router = Router("test")

    @router.on(TextMessage)
    async def remember(event: TextMessage, deps: Deps) -> None:
        seen.append(event.content)

    client = await aiohttp_client(create_app(settings, clock=clock, router=router))
    await post(client, settings, text_message(settings, "第一条"))

    async def handled() -> bool:
        return seen == ["第一条"]

    await eventually(handled)
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def drained() -> bool:
        stats = await queue.stats()
        return stats.length == 0 and stats.pending == 0

    await eventually(drained)
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="text",outcome="handled"} 1.0' in metrics


async def test_failing_handler_is_retried_then_dead_lettered_then_replayed(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(
        redis_url,
        queue={
            "max_deliveries": 3,
            "claim_idle_seconds": 0.05,
            "janitor_interval_seconds": 0.05,
            "block_ms": 20,
        },
    )
    attempts: list[int] = []
    healthy = False
    router = Router("flaky")

    @router.on(TextMessage)
    async def flaky(event: TextMessage, deps: Deps) -> None:
        attempts.append(1)
        if not healthy:
            raise RuntimeError("downstream is down")

    client = await aiohttp_client(create_app(settings, clock=clock, router=router))
    await post(client, settings, text_message(settings))
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def dead() -> bool:
        return (await queue.stats()).dead == 1

    await eventually(dead)
    assert len(attempts) == 3
    [(dead_id, fields)] = await queue.dead_entries()
    assert fields["deliveries"] == "3"
    assert "downstream is down" in fields["error"]
    assert (await queue.stats()).length == 0

    healthy = True
    assert await queue.replay(dead_id) is not None

    async def replayed() -> bool:
        stats = await queue.stats()
        return len(attempts) == 4 and stats.length == 0 and stats.dead == 0

    await eventually(replayed)
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="text",outcome="dead_lettered"} 1.0' in metrics
    assert 'siyu_events_handled_total{kind="text",outcome="handled"} 1.0' in metrics


async def test_unknown_event_is_queued_handled_and_logged(
    aiohttp_client: ClientFactory,
    settings: Settings,
    clock: ManualClock,
    redis: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = build_root_router()
    root.include(journal.router)
    client = await aiohttp_client(create_app(settings, clock=clock, router=root))
    xml = text_message(settings).replace(
        "<MsgType><![CDATA[text]]>", "<MsgType><![CDATA[hologram]]>"
    )
    await post(client, settings, xml)

    dedup_key = parse_event(xml).dedup_key
    assert dedup_key.startswith("msg|"), "an unknown kind with a MsgId keeps it as its key"

    async def counted() -> bool:
        count = await redis.hget(keys.demo_effects(settings.wecom.corp_id), dedup_key)
        return count == "1"

    await eventually(counted)
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="unknown",outcome="handled"} 1.0' in metrics
    assert "unknown event MsgType=hologram" in caplog.text, "an operator can add a type"


async def test_ledger_applies_an_effect_once(settings: Settings, redis: Redis) -> None:
    ledger = Ledger(redis, settings.wecom.corp_id)
    target = f"{keys.demo_effects(settings.wecom.corp_id)}:ledger-test"
    results = [
        await ledger.apply_once("effect-1", lambda pipe: pipe.incr(target)) for _ in range(3)
    ]
    assert results == [True, False, False]
    assert await redis.get(target) == "1"
    assert await ledger.is_done("effect-1")
    assert SystemClock().now().tzinfo is not None


async def test_event_no_router_handles_is_acked_as_ignored(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock, redis: Redis
) -> None:
    router = Router("only-contacts")

    @router.on(Event, lambda e: False)
    async def never(event: Event, deps: Deps) -> None:
        raise AssertionError("filtered out")

    client = await aiohttp_client(create_app(settings, clock=clock, router=router))
    await post(client, settings, text_message(settings))
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def drained() -> bool:
        return (await queue.stats()).length == 0

    await eventually(drained)
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="text",outcome="ignored"} 1.0' in metrics


async def test_idle_consumers_without_pending_entries_are_pruned(
    settings: Settings, redis: Redis
) -> None:
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.ensure_group()
    await queue.enqueue("default", "text", "msg|1", "<xml/>")
    await queue.read_new("holds-one", count=1, block_ms=10)
    await redis.xgroup_createconsumer(queue.stream, keys.CONSUMER_GROUP, "holds-none")
    assert await queue.prune_consumers(idle_ms=0) == ["holds-none"]
    consumers = await redis.xinfo_consumers(queue.stream, keys.CONSUMER_GROUP)
    assert [c["name"] for c in consumers] == ["holds-one"]


async def test_rate_limited_event_is_deferred_not_failed_then_handled(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(
        redis_url, queue={"max_deliveries": 1, "block_ms": 20, "janitor_interval_seconds": 0.05}
    )
    attempts: list[int] = []
    router = Router("limited")

    @router.on(TextMessage)
    async def limited_once(event: TextMessage, deps: Deps) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RateLimited(45009, "api freq out of limit", "message/send", retry_after=0.2)

    client = await aiohttp_client(create_app(settings, clock=clock, router=router))
    await post(client, settings, text_message(settings))
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def handled_after_the_wait() -> bool:
        stats = await queue.stats()
        return len(attempts) == 2 and stats.length == 0 and stats.delayed == 0

    await eventually(handled_after_the_wait)
    assert (await queue.stats()).dead == 0, "waiting out a limit is not a failed delivery"
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="text",outcome="deferred"} 1.0' in metrics
    assert 'siyu_events_handled_total{kind="text",outcome="handled"} 1.0' in metrics


async def test_a_batch_keeps_each_customers_order_and_runs_customers_concurrently(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock
) -> None:
    settings = make_settings(redis_url, queue={"batch_size": 16, "block_ms": 20, "consumers": 1})
    gateway = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
    for customer in ("wmA", "wmB"):
        await post(gateway, settings, contact_added(settings, customer))
        await post(gateway, settings, follow_user_deleted(settings, customer))
    log: list[str] = []
    running = 0
    overlap = 0
    router = Router("order")

    @router.on(ExternalContactEvent)
    async def record(event: ExternalContactEvent, deps: Deps) -> None:
        nonlocal running, overlap
        running += 1
        overlap = max(overlap, running)
        if isinstance(event, ExternalContactAdded):
            await asyncio.sleep(0.05)  # a slow add must still come before its delete
        log.append(f"{event.external_user_id}:{event.change_type}")
        running -= 1

    await aiohttp_client(create_app(settings, role=Role.WORKER, clock=clock, router=router))

    async def all_handled() -> bool:
        return len(log) == 4

    await eventually(all_handled)
    for customer in ("wmA", "wmB"):
        mine = [line for line in log if line.startswith(customer)]
        assert mine == [f"{customer}:add_external_contact", f"{customer}:del_follow_user"]
    assert overlap == 2, "the two customers' lanes ran side by side"


@pytest.mark.parametrize(
    ("xml", "key"),
    [
        (lambda s: contact_added(s, "wmX"), "customer:wmX"),
        (text_message, "member:staff01"),
    ],
)
def test_ordering_key(settings: Settings, xml: Callable[[Settings], str], key: str) -> None:
    assert ordering_key(parse_event(xml(settings))) == key


async def test_an_add_with_a_welcome_code_runs_on_both_lanes_and_dies_and_replays_in_its_own(
    aiohttp_client: ClientFactory, redis_url: str, clock: ManualClock, redis: Redis
) -> None:
    settings = make_settings(
        redis_url,
        queue={
            "max_deliveries": 2,
            "claim_idle_seconds": 0.05,
            "janitor_interval_seconds": 0.05,
            "block_ms": 20,
        },
    )
    main_seen: list[str] = []
    express_tries: list[str] = []
    healthy = False
    main, express = Router("main"), Router("express")

    @main.on(ExternalContactAdded)
    async def on_main(event: ExternalContactAdded, deps: Deps) -> None:
        main_seen.append(event.external_user_id)

    @express.on(ExternalContactAdded)
    async def on_express(event: ExternalContactAdded, deps: Deps) -> None:
        express_tries.append(event.external_user_id)
        if not healthy:
            raise RuntimeError("welcome failed")

    client = await aiohttp_client(
        create_app(settings, clock=clock, router=main, express_router=express)
    )
    await post(client, settings, contact_added(settings, "wmLANES001"))
    await post(client, settings, follow_user_deleted(settings, "wmLANES001"))  # main lane only
    queue = EventQueue(redis, settings.wecom.corp_id)

    async def dead() -> bool:
        return (await queue.stats()).dead == 1

    await eventually(dead)
    assert main_seen == ["wmLANES001"]
    assert express_tries == ["wmLANES001", "wmLANES001"]
    [(dead_id, fields)] = await queue.dead_entries()
    assert fields["lane"] == "express"

    healthy = True
    await queue.replay(dead_id)

    async def replayed() -> bool:
        stats = await queue.stats()
        return len(express_tries) == 3 and stats.length == stats.pending == stats.dead == 0

    await eventually(replayed)
    assert main_seen == ["wmLANES001"], "the replay went back to the express lane only"


async def test_queue_stats_count_every_lane(settings: Settings, redis: Redis) -> None:
    queue = EventQueue(redis, settings.wecom.corp_id)
    await queue.ensure_group()
    await queue.enqueue("default", "external_contact_added", "k1", "<xml/>", express=True)
    await queue.enqueue("default", "text", "k2", "<xml/>")
    assert (await queue.stats()).length == 3
    [express] = queue.other_lanes()
    assert [fields["dedup"] for _, fields in await express.peek()] == ["k1"]
    with pytest.raises(ValueError, match="main lane"):
        await express.enqueue("default", "text", "k3", "<xml/>")
