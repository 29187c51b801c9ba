"""End to end through the sandbox: laggards are reminded, lost answers are found, tasks cancel.

The demo corp: zhangwei (2 customers), lina (2), wangfang (1). Times: the tests start at
18:00 in Shanghai; quiet hours are the default 22:00-08:00.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.wecom.errors import RateLimited
from handlers.tasks import jobs, service
from handlers.tasks.context import Campaigns
from handlers.tasks.model import Content, CustomerFilter, TaskSpec
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory

HOUR = timedelta(hours=1)


def everyone(stack: Stack, days: int = 3) -> TaskSpec:
    return TaskSpec(
        title="新品上市",
        content=Content("新品上市，欢迎咨询"),
        deadline=stack.clock.now() + timedelta(days=days),
        customers=CustomerFilter(everyone=True),
        operator="manager",
    )


async def started(stack: Stack, spec: TaskSpec) -> tuple[int, dict[str, str]]:
    task_id = await stack.create(spec)
    await stack.drained()
    state = await stack.state(task_id)
    assert state["state"] == "active", state
    return task_id, {c["sender"]: c["msgid"] for c in state["calls"]}


def reminders(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        c
        for c in cards
        if c["msgtype"] == "template_card"
        and c["template_card"]["main_title"]["title"].startswith("还没发送")
    ]


async def reminded(stack: Stack) -> dict[str, int]:
    counts = {}
    for userid in ("zhangwei", "lina", "wangfang"):
        counts[userid] = len(reminders(await stack.cards_to(userid)))
    return counts


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        tasks={
            "first_reminder_after_hours": 1,
            "remind_every_hours": 24,
            "max_reminders": 2,
            "summary_to": ["manager"],
        },
    )


async def test_only_laggards_are_reminded_and_not_more_often_than_configured(stack: Stack) -> None:
    task_id, msgids = await started(stack, everyone(stack))
    await stack.confirm(msgids["zhangwei"], "zhangwei")
    stack.clock.advance(timedelta(minutes=30))
    assert await stack.tick() == {task_id: "tracking"}  # before the first reminder is due
    assert await reminded(stack) == {"zhangwei": 0, "lina": 0, "wangfang": 0}

    stack.clock.advance(timedelta(minutes=30))  # 19:00: an hour after the prompt
    assert await stack.tick() == {task_id: "reminded lina,wangfang"}
    for _ in range(3):  # ticks every few minutes: nothing more
        stack.clock.advance(timedelta(minutes=10))
        assert await stack.tick() == {task_id: "tracking"}
    assert await reminded(stack) == {"zhangwei": 0, "lina": 1, "wangfang": 1}
    wecom = await stack.calls("externalcontact/remind_groupmsg_send")
    assert sorted(c["body"]["msgid"] for c in wecom) == sorted([msgids["lina"], msgids["wangfang"]])

    await stack.confirm(msgids["lina"], "lina")
    stack.clock.advance(timedelta(hours=23, minutes=30))  # 24 h after the first reminder
    assert await stack.tick() == {task_id: "reminded wangfang"}
    assert await reminded(stack) == {"zhangwei": 0, "lina": 1, "wangfang": 2}
    wecom = await stack.calls("externalcontact/remind_groupmsg_send")
    assert [c["body"]["msgid"] for c in wecom][-1] == msgids["wangfang"]
    assert all(c["response"]["errcode"] == 0 for c in wecom)  # within WeCom's limits

    stack.clock.advance(timedelta(hours=24))  # max_reminders = 2: no third
    assert await stack.tick() == {task_id: "tracking"}
    assert await reminded(stack) == {"zhangwei": 0, "lina": 1, "wangfang": 2}

    stack.clock.advance(timedelta(hours=24))  # past the deadline: closed, summary
    assert await stack.tick() == {task_id: "closed"}
    [summary] = [c for c in await stack.cards_to("manager") if c["msgtype"] == "markdown"]
    text = summary["markdown"]["content"]
    assert "2/3 已发送" in text and "未发送的员工：wangfang" in text
    assert (await stack.state(task_id))["counts"] == {
        "unsent": 1,
        "sent": 4,
        "not_friend": 0,
        "capped": 0,
    }


async def test_reminders_wait_out_quiet_hours(stack: Stack) -> None:
    task_id, _ = await started(stack, everyone(stack))
    stack.clock.advance(timedelta(hours=4, minutes=30))  # 22:30: due, but quiet
    await stack.tick()
    assert await reminded(stack) == {"zhangwei": 0, "lina": 0, "wangfang": 0}
    stack.clock.advance(timedelta(hours=9, minutes=40))  # 08:10 next morning
    assert await stack.tick() == {task_id: "reminded lina,wangfang,zhangwei"}


async def test_last_call_reminder_before_a_near_deadline(stack: Stack) -> None:
    task_id, msgids = await started(stack, everyone(stack, days=1))
    await stack.confirm(msgids["zhangwei"], "zhangwei")
    await stack.confirm(msgids["lina"], "lina")
    await stack.tick()
    stack.clock.advance(timedelta(hours=1))
    assert await stack.tick() == {task_id: "reminded wangfang"}
    stack.clock.advance(timedelta(hours=21, minutes=30))  # 1.5 h before: not 24 h since
    assert await stack.tick() == {task_id: "tracking"}
    await stack.confirm(msgids["wangfang"], "wangfang")
    stack.clock.advance(timedelta(minutes=10))
    assert await stack.tick() == {task_id: "completed"}


async def test_cancel_stops_unsent_staff_and_tells_them(stack: Stack) -> None:
    task_id, msgids = await started(stack, everyone(stack))
    await stack.confirm(msgids["zhangwei"], "zhangwei")
    await stack.tick()

    assert await service.cancel(stack.deps, task_id) == "cancelled"
    cancelled = await stack.calls("externalcontact/cancel_groupmsg_send")
    assert sorted(c["body"]["msgid"] for c in cancelled) == sorted(
        [msgids["lina"], msgids["wangfang"]]
    )
    for userid in ("lina", "wangfang"):
        titles = [c["template_card"]["main_title"]["title"] for c in await stack.cards_to(userid)]
        assert any(t.startswith("已取消") for t in titles)
    state = await stack.state(task_id)
    assert state["state"] == "cancelled"
    await stack.sandbox.control(
        "POST", f"groupmsg/{msgids['lina']}/confirm", {"staff": "lina"}, expect=409
    )
    assert await service.cancel(stack.deps, task_id) == "already cancelled"
    assert await stack.tick() == {}


@pytest.fixture
async def slow_stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        wecom={
            "http": {
                "read_timeout_seconds": 0.3,
                "total_timeout_seconds": 0.5,
                "backoff_seconds": 0.01,
            }
        },
        queue={"block_ms": 20, "janitor_interval_seconds": 0.05, "claim_idle_seconds": 2.0},
    )


async def test_a_template_made_without_an_answer_is_found_not_made_again(slow_stack: Stack) -> None:
    stack = slow_stack
    # WeCom makes the template, but answers after siyu has given up waiting
    await stack.sandbox.control(
        "POST",
        "faults",
        {"api": "externalcontact/add_msg_template", "latency_ms": 1000, "count": 1},
    )
    task_id, msgids = await started(stack, everyone(stack))
    calls = await stack.calls("externalcontact/add_msg_template")
    assert len(calls) == 3  # one per sender: the slow one was adopted, not repeated
    assert sorted(msgids.values()) == sorted(c["response"]["msgid"] for c in calls)
    state = await stack.state(task_id)
    assert [(c["state"], c["attempts"]) for c in state["calls"]] == [("created", 1)] * 3


async def test_a_call_wecom_never_made_is_made_again(slow_stack: Stack) -> None:
    stack = slow_stack
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/add_msg_template", "timeout": True, "count": 1}
    )
    task_id, msgids = await started(stack, everyone(stack))
    calls = await stack.calls("externalcontact/add_msg_template")
    assert len(calls) == 4 and calls[0]["response"] is None  # held, then retried
    assert calls[0]["body"] == calls[1]["body"]
    assert len(set(msgids.values())) == 3
    state = await stack.state(task_id)
    assert [c["attempts"] for c in state["calls"]] == [2, 1, 1]


async def test_a_task_cancelled_before_its_calls_makes_none(stack: Stack) -> None:
    campaigns = Campaigns.of(stack.deps)
    task_id, _ = await campaigns.store.create(everyone(stack), campaigns.unix())  # no step queued
    assert await service.cancel(stack.deps, task_id) == "cancelled"
    assert await jobs.advance(campaigns, task_id) == "cancelled"
    assert await stack.calls("externalcontact/add_msg_template") == []


async def test_calls_not_made_by_the_deadline_are_given_up(stack: Stack) -> None:
    campaigns = Campaigns.of(stack.deps)
    task_id, _ = await campaigns.store.create(everyone(stack, days=1), campaigns.unix())
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/add_msg_template", "errcode": 45009, "count": 1}
    )
    with pytest.raises(RateLimited):
        await jobs.advance(campaigns, task_id)
    stack.clock.advance(timedelta(days=1, minutes=1))
    assert await jobs.advance(Campaigns.of(stack.deps), task_id) == "failed"
    state = await stack.state(task_id)
    assert state["error"] == "deadline passed"
    assert [c["state"] for c in state["calls"]] == ["skipped"] * 3
    assert len(await stack.calls("externalcontact/add_msg_template")) == 1  # the refused one


async def test_an_unreachable_operator_does_not_stop_the_task(stack: Stack) -> None:
    spec = dataclasses.replace(everyone(stack), operator="nobody")
    task_id, msgids = await started(stack, spec)
    for staff, msgid in msgids.items():
        await stack.confirm(msgid, staff)
    stack.clock.advance(timedelta(minutes=10))
    assert await stack.tick() == {task_id: "completed"}
    [summary] = [c for c in await stack.calls("message/send") if c["body"]["msgtype"] == "markdown"]
    assert summary["response"]["errcode"] == 81013
    assert await stack.tick() == {}
