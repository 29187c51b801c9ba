"""End to end through the sandbox: a customer scans a live code and is welcomed in time."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store import keys
from handlers.intake.rules import load_rules_file
from handlers.intake.welcome_text import fill
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory
from tests.support.wecom import eventually

POSTER_CODE = "cwDEMOposter"  # the demo corp's live code with state ch_poster_a (channel A)


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


async def welcomed(stack: Stack, count: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> bool:
        return len(await stack.calls("externalcontact/send_welcome_msg")) >= count

    await eventually(arrived)
    return await stack.calls("externalcontact/send_welcome_msg")


async def test_channel_welcome_has_the_name_the_text_and_the_attachments(stack: Stack) -> None:
    added = await stack.scan(POSTER_CODE, "wmSCENARIOnew0001")
    name = added["customer"]["name"]

    [call] = await welcomed(stack)

    channel = load_rules_file().channels["poster_a"]
    assert channel.welcome is not None
    expected = fill(
        channel.welcome.text, {"customer_name": name, "staff_name": "张伟", "channel": "海报A"}
    )
    assert call["body"]["welcome_code"] == added["welcome_code"]
    assert call["body"]["text"]["content"] == expected
    assert name in expected
    assert call["body"]["attachments"] == [a.as_wecom() for a in channel.welcome.attachments]
    assert call["response"]["errcode"] == 0
    await stack.drained()
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1


async def test_slow_name_lookup_still_welcomes_in_time_without_the_name(stack: Stack) -> None:
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/get", "latency_ms": 3000, "count": 1}
    )
    started = time.monotonic()
    await stack.scan(POSTER_CODE, "wmSCENARIOslow0001")

    [call] = await welcomed(stack)

    assert time.monotonic() - started < 2.9, "the welcome did not wait for the slow lookup"
    channel = load_rules_file().channels["poster_a"]
    assert channel.welcome is not None and channel.welcome.text_without_name is not None
    expected = fill(channel.welcome.text_without_name, {"staff_name": "张伟", "channel": "海报A"})
    assert call["body"]["text"]["content"] == expected
    assert call["response"]["errcode"] == 0  # the code was still valid: sent in time
    await stack.drained()
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1


async def test_an_event_older_than_the_window_is_not_sent_and_counted_missed(
    stack: Stack, clock: ManualClock
) -> None:
    created = clock.now() - timedelta(seconds=25)
    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                {
                    "FromUserName": "sys",
                    "CreateTime": int(created.timestamp()),
                    "MsgType": "event",
                    "Event": "change_external_contact",
                    "ChangeType": "add_external_contact",
                    "UserID": "zhangwei",
                    "ExternalUserID": "wmDEMOliuyang0001",
                    "State": "ch_poster_a",
                    "WelcomeCode": "WCstale0000000000000000000000000",
                }
            ]
        },
    )

    await stack.drained()

    assert await stack.calls("externalcontact/send_welcome_msg") == []
    assert stack.metric("siyu_welcome_total", outcome="missed") == 1
    metrics = await (await stack.siyu.get("/metrics")).text()
    assert 'siyu_welcome_total{outcome="missed"} 1.0' in metrics


async def test_a_duplicated_add_event_makes_exactly_one_welcome_call(stack: Stack) -> None:
    await stack.scan(POSTER_CODE, "wmSCENARIOdup00001", duplicates=2)

    await stack.drained()

    deliveries = [d for d in await stack.sandbox.deliveries() if d["status"] == 200]
    assert len(deliveries) == 3, "WeCom delivered the add three times"
    assert len(await stack.calls("externalcontact/send_welcome_msg")) == 1
    assert stack.metric("siyu_welcome_total", outcome="sent") == 1


async def test_an_add_without_a_welcome_code_sends_nothing(stack: Stack) -> None:
    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                {
                    "FromUserName": "sys",
                    "MsgType": "event",
                    "Event": "change_external_contact",
                    "ChangeType": "add_external_contact",
                    "UserID": "zhangwei",
                    "ExternalUserID": "wmDEMOliuyang0001",
                    "State": "ch_poster_a",
                }
            ]
        },
    )

    await stack.drained()

    assert await stack.calls("externalcontact/send_welcome_msg") == []
    assert stack.metric("siyu_welcome_total", outcome="no_code") == 1


async def test_one_lookup_of_the_customer_serves_the_welcome_and_the_profile(
    stack: Stack,
) -> None:
    added = await stack.scan(POSTER_CODE, "wmSCENARIOonce0001")

    await welcomed(stack)
    await stack.drained()

    assert len(await stack.calls("externalcontact/get")) == 1, "WeCom's quota is per API call"
    profile = await stack.redis.hgetall(
        keys.customer(stack.settings.wecom.corp_id, added["external_userid"])
    )
    assert profile, "the profile was stored from the welcome's lookup"


async def test_a_slow_concern_on_the_main_lane_does_not_hold_welcomes_back(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    stack = await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        queue={
            "consumers": 1,
            "batch_size": 2,
            "block_ms": 20,
            "janitor_interval_seconds": 0.05,
        },
    )
    # Tagging (main lane) answers in 1.5 s: one main consumer takes 2 adds per 1.5 s.
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/mark_tag", "latency_ms": 1500, "count": 100}
    )
    for n in range(6):
        await stack.scan(POSTER_CODE, f"wmSCENARIOlane{n:04d}")

    await welcomed(stack, 6)

    tagged = await stack.calls("externalcontact/mark_tag")
    assert len(tagged) <= 2, "all six were welcomed while the first batch was still tagging"
    await stack.drained(timeout=20)
    assert len(await stack.calls("externalcontact/mark_tag")) == 6


async def test_while_lookups_are_slow_welcomes_go_without_the_name_at_once(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    stack = await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        queue={
            "express_consumers": 1,
            "express_batch_size": 2,
            "block_ms": 20,
            "janitor_interval_seconds": 0.05,
        },
    )
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/get", "latency_ms": 3000, "count": 100}
    )
    started = time.monotonic()
    for n in range(10):
        await stack.scan(POSTER_CODE, f"wmSCENARIOcool{n:04d}")

    calls = await welcomed(stack, 10)

    # Each waiting out its 1.5 s budget, five batches of two would take 7.5 s.
    assert time.monotonic() - started < 4.5, "after the first timeout nobody waited"
    channel = load_rules_file().channels["poster_a"]
    assert channel.welcome is not None and channel.welcome.text_without_name is not None
    expected = fill(channel.welcome.text_without_name, {"staff_name": "张伟", "channel": "海报A"})
    assert all(call["body"]["text"]["content"] == expected for call in calls)
    await stack.drained(timeout=30)
    assert stack.metric("siyu_welcome_total", outcome="sent") == 10
