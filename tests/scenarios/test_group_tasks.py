"""End to end through the sandbox: a group task to 25,000 customers of 3 staff members.

It splits into the right add_msg_template calls, skips do-not-disturb and capped customers,
survives WeCom's 45009 in the middle without repeating a call, prompts each sender, and its
progress follows the sandbox as the staff confirm, to completion and the operator's summary.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.sandbox.config import Limits
from bot.sandbox.world import World
from handlers.customers.do_not_disturb import DoNotDisturb
from handlers.tasks.context import Campaigns
from handlers.tasks.model import Content, CustomerFilter, TaskSpec
from handlers.tasks.store import MonthlySends
from tests.handlers.tasks.stack import Stack, seed_customers, start_stack
from tests.support.stack import ClientFactory
from tests.support.wecom import eventually

A = [f"wmBULKa{i:05d}" for i in range(12_000)]  # zhangwei's
B = [f"wmBULKb{i:05d}" for i in range(8_000)]  # lina's
C = [f"wmBULKc{i:05d}" for i in range(5_000)]  # wangfang's
OPTED_OUT = [f"wmBULKx{i:05d}" for i in range(200)]  # wangfang's, tagged 不要推送
SHARED = A[:300]  # zhangwei's customers who also added lina, later
DND = A[100:150] + C[:50]
CAPPED = B[:150]
CAMPAIGN, OPT_OUT = "etBULKcampaign", "etBULKoptout"


@pytest.fixture
async def bulk(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    def seed(world: World) -> None:
        now = clock.now()
        seed_customers(world, "zhangwei", A, (CAMPAIGN,), now - timedelta(days=30))
        seed_customers(world, "lina", B, (CAMPAIGN,), now - timedelta(days=20))
        seed_customers(world, "lina", SHARED, (CAMPAIGN,), now - timedelta(days=1))
        seed_customers(world, "wangfang", C, (CAMPAIGN,), now - timedelta(days=10))
        seed_customers(world, "wangfang", OPTED_OUT, (CAMPAIGN, OPT_OUT), now)
        month = clock.now().strftime("%Y-%m")
        for target in CAPPED:  # they got this month's 4 group sends already, in WeCom too
            world.corp.monthly_sends[(target, month)] = 4

    stack = await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        seed=seed,
        limits=Limits(groupmsg_per_target_per_month=4),
        tasks={"monthly_cap": 4, "summary_to": ["manager"]},
    )
    marks = DoNotDisturb(redis, stack.settings.wecom.corp_id)
    for customer in DND:
        await marks.add(customer, "unsubscribe", clock.now())
    months = MonthlySends(redis, stack.settings.wecom.corp_id)
    for customer in CAPPED:  # siyu counted them too (as if it had sent those 4)
        await months.add(Campaigns.of(stack.deps).month(), customer, 4, 86400 * 60)
    return stack


def spec(stack: Stack) -> TaskSpec:
    return TaskSpec(
        title="双十一预告",
        content=Content(
            "双十一全场五折，点击链接预约",
            ({"msgtype": "link", "link": {"title": "预约", "url": "https://e.x/y"}},),
        ),
        deadline=stack.clock.now() + timedelta(days=2),
        customers=CustomerFilter(all_tags=(CAMPAIGN,), no_tags=(OPT_OUT,)),
        operator="manager",
    )


async def test_25000_customers_split_skip_survive_45009_and_follow_confirms(bulk: Stack) -> None:
    stack = bulk
    # the second add_msg_template is refused with 45009: the first passes a no-op fault
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/add_msg_template", "latency_ms": 1, "count": 1}
    )
    await stack.sandbox.control(
        "POST", "faults", {"api": "externalcontact/add_msg_template", "errcode": 45009, "count": 1}
    )

    task_id = await stack.create(spec(stack))
    await stack.drained(60)

    calls = await stack.calls("externalcontact/add_msg_template")
    assert [c["response"]["errcode"] for c in calls] == [0, 45009, 0, 0, 0]
    made = [c["body"] for c in calls if c["response"]["errcode"] == 0]
    assert [(b["sender"], len(b["external_userid"])) for b in made] == [
        ("lina", 7_850),
        ("wangfang", 4_950),
        ("zhangwei", 10_000),
        ("zhangwei", 1_950),
    ]
    sent_to = [t for b in made for t in b["external_userid"]]
    assert len(sent_to) == len(set(sent_to)) == 24_750  # each customer once: no repeated call
    assert not set(sent_to) & set(DND) and not set(sent_to) & set(CAPPED)
    assert not set(sent_to) & set(OPTED_OUT)
    assert set(SHARED) - set(DND) <= {
        t for b in made if b["sender"] == "zhangwei" for t in b["external_userid"]
    }
    assert calls[1]["body"]["external_userid"] == calls[2]["body"]["external_userid"]  # retried

    assert stack.metric("siyu_task_calls_total", outcome="created") == 4
    assert stack.metric("siyu_task_calls_total", outcome="rate_limited") == 1
    assert stack.metric("siyu_task_messages_total", kind="prompt") == 3
    state = await stack.state(task_id)
    assert state["state"] == "active"
    assert state["matched"] == 25_000 and state["targets"] == 24_750
    assert state["excluded"] == {"do_not_disturb": 100, "over_cap": 150}
    assert len(state["msgids"]) == 4
    for userid, targets in (("zhangwei", 11_950), ("lina", 7_850), ("wangfang", 4_950)):
        [prompt] = [c for c in await stack.cards_to(userid) if c["msgtype"] == "template_card"]
        assert prompt["template_card"]["emphasis_content"]["title"] == str(targets)

    by_sender: dict[str, list[str]] = {c["sender"]: [] for c in state["calls"]}
    for call in state["calls"]:
        by_sender[call["sender"]].append(call["msgid"])
    for msgid in by_sender["zhangwei"]:
        await stack.confirm(msgid, "zhangwei")
    await stack.tick()
    state = await stack.state(task_id)
    staff = {s["userid"]: s for s in state["staff"]}
    assert staff["zhangwei"]["status"] == "sent"
    assert staff["zhangwei"]["sent_targets"] == 11_950
    assert staff["lina"]["status"] == staff["wangfang"]["status"] == "unsent"
    assert state["counts"] == {"unsent": 12_800, "sent": 11_950, "not_friend": 0, "capped": 0}

    await stack.confirm(by_sender["lina"][0], "lina")
    await stack.confirm(by_sender["wangfang"][0], "wangfang")
    stack.clock.advance(timedelta(minutes=10))
    assert await stack.tick() == {task_id: "completed"}
    state = await stack.state(task_id)
    assert state["state"] == "completed" and state["progress"] == 1.0
    assert state["counts"]["sent"] == 24_750
    [summary] = [c for c in await stack.cards_to("manager") if c["msgtype"] == "markdown"]
    assert "3/3 已发送" in summary["markdown"]["content"]
    assert stack.metric("siyu_tasks_ended_total", state="completed") == 1
    months = MonthlySends(stack.redis, stack.settings.wecom.corp_id)
    counted = await months.counts(Campaigns.of(stack.deps).month(), A[:3] + CAPPED[:1])
    assert counted == {A[0]: 1, A[1]: 1, A[2]: 1, CAPPED[0]: 4}

    async def untouched() -> bool:  # a later tick finds nothing open
        return await stack.tick() == {}

    await eventually(untouched)
