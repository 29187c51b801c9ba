"""Customers from siyu's own profiles (source "store") versus from WeCom (source "wecom")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.tasks.model import Content, CustomerFilter, Source, TaskSpec
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


def by_channel(stack: Stack, source: Source) -> TaskSpec:
    return TaskSpec(
        "直播回访",
        Content("感谢来看直播"),
        stack.clock.now() + timedelta(days=1),
        CustomerFilter(channels=("ch_live_b",)),
        source=source,
    )


async def targets(stack: Stack, task_id: int) -> list[str]:
    await stack.drained()
    calls = await stack.calls("externalcontact/add_msg_template")
    state = await stack.state(task_id)
    mine = set(state["msgids"])
    return sorted(
        t for c in calls if c["response"].get("msgid") in mine for t in c["body"]["external_userid"]
    )


async def test_the_store_knows_only_customers_siyu_saw_and_forgets_ended_relations(
    stack: Stack,
) -> None:
    for customer, staff in (
        ("wmLIVE001", "zhangwei"),
        ("wmLIVE002", "lina"),
        ("wmLIVE003", "wangfang"),
    ):
        await stack.sandbox.control(
            "POST", f"customers/{customer}/add", {"staff": staff, "state": "ch_live_b"}
        )
    await stack.drained()  # intake's profiles handler stored them from externalcontact/get
    await stack.sandbox.control("POST", "customers/wmLIVE003/delete", {"staff": "wangfang"})
    await stack.drained()

    from_store = await stack.create(by_channel(stack, Source.STORE))
    assert await targets(stack, from_store) == ["wmLIVE001", "wmLIVE002"]
    from_wecom = await stack.create(by_channel(stack, Source.WECOM))
    # WeCom also knows the demo corp's earlier live-stream customer siyu never saw an event of
    assert await targets(stack, from_wecom) == ["wmDEMOzhaomin0002", "wmLIVE001", "wmLIVE002"]
