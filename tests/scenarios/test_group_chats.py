"""End to end through the sandbox: customer groups joined and quit, counted by scene, digested.

500 joins and 50 quits across 10 groups arrive as change_external_chat callbacks; siyu keeps
each group (groupchat/get), counts joins and quits per local day and scene once each, and at
the configured time (21:00 Shanghai) sends one digest per group to its owner and admins.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.groups.context import Groups
from handlers.groups.jobs import tick
from tests.handlers.tasks.stack import Stack, start_stack
from tests.support.stack import ClientFactory

OWNERS = ("zhangwei", "lina", "wangfang")
GROUPS = [f"wrGROUP{i:02d}" for i in range(10)]
TOKEN = "groups-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        admin={"token": TOKEN},
        groups={"digest_at": "21:00", "digest_grace_minutes": 60, "quit_spike_count": 100},
    )


async def make_groups(stack: Stack) -> None:
    for index, chat_id in enumerate(GROUPS):
        body = {"chat_id": chat_id, "name": f"客户群{index}", "owner": OWNERS[index % 3]}
        await stack.sandbox.control("POST", "groups", body)
    first = stack.world.corp.groups[GROUPS[0]]  # the sandbox has no route for admins
    stack.world.corp.groups[GROUPS[0]] = dataclasses.replace(first, admins=("manager",))


async def join_and_quit(stack: Stack) -> None:
    for index, chat_id in enumerate(GROUPS):
        people = [f"wmJOIN{index:02d}{n:03d}" for n in range(50)]
        for batch, scene in enumerate([3, 3, 3, 3, 1, 1, 1, 1, 0, 0]):  # 5 people each
            members = people[batch * 5 : batch * 5 + 5]
            await stack.sandbox.control(
                "POST", f"groups/{chat_id}/join", {"members": members, "scene": scene}
            )
        for person, scene in zip(people[:5], [0, 0, 0, 1, 1], strict=True):
            await stack.sandbox.control(
                "POST", f"groups/{chat_id}/quit", {"members": [person], "scene": scene}
            )


def digests(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        c
        for c in cards
        if c["msgtype"] == "template_card"
        and c["template_card"]["main_title"]["title"].startswith("群日报")
    ]


async def test_500_joins_and_50_quits_counted_by_scene_and_digested_once_at_the_time(
    stack: Stack,
) -> None:
    await make_groups(stack)
    await join_and_quit(stack)
    await stack.drained(60)

    groups = Groups.of(stack.deps)
    today = groups.day_of(stack.clock.now())
    assert await groups.counters.day(today) == {
        "join": 500,
        "join:qrcode": 200,
        "join:link": 200,
        "join:invite": 100,
        "quit": 50,
        "quit:left": 30,
        "quit:removed": 20,
    }
    for chat_id in GROUPS:
        counts = await groups.counters.day(today, chat_id)
        assert (counts["join"], counts["quit"]) == (50, 5)
    first = await groups.registry.get(GROUPS[0])
    assert first is not None
    assert (first.owner, first.admins, first.member_count) == ("zhangwei", ("manager",), 46)
    members = await groups.registry.members(GROUPS[0])
    assert {m.join_scene for m in members if m.type == 2} == {1, 2, 3}  # groupchat/get's scenes
    stats = await stack.siyu.get("/api/v1/groups/stats", headers=AUTH)
    assert (await stats.json())["counts"]["join:qrcode"] == 200

    now = stack.clock.now()  # 18:00 in Shanghai
    assert (await tick(stack.deps, now)).digests == []
    assert (await tick(stack.deps, now + timedelta(hours=2, minutes=59))).digests == []
    at_nine = await tick(stack.deps, now + timedelta(hours=3))
    assert sorted(at_nine.digests) == GROUPS
    assert (await tick(stack.deps, now + timedelta(hours=3, minutes=30))).digests == []

    sent = digests([c["body"] for c in await stack.calls("message/send")])
    assert len(sent) == 10  # one per group
    by_owner = {o: [c for c in sent if c["touser"].split("|")[0] == o] for o in OWNERS}
    assert [len(by_owner[o]) for o in OWNERS] == [4, 3, 3]
    [first_card] = [c for c in sent if c["touser"] == "zhangwei|manager"]
    rows = {
        r["keyname"]: r["value"] for r in first_card["template_card"]["horizontal_content_list"]
    }
    assert rows["入群"] == "50 人（邀请 10，链接 20，扫码 20）"
    assert rows["退群"] == "5 人（主动退出 3，被移出 2）"
    assert first_card["template_card"]["emphasis_content"]["title"] == "46"

    assert stack.metric("siyu_group_cards_total", kind="digest") == 10
    assert stack.metric("siyu_group_member_changes_total", change="join", scene="qrcode") == 200
    assert stack.metric("siyu_group_member_changes_total", change="quit", scene="removed") == 20

    tomorrow = now + timedelta(days=1, hours=3)  # a quiet day: no digests
    assert (await tick(stack.deps, tomorrow)).digests == []


async def test_a_digest_missed_by_more_than_the_grace_waits_for_the_next_day(
    stack: Stack,
) -> None:
    await make_groups(stack)
    await stack.sandbox.control(
        "POST", f"groups/{GROUPS[1]}/join", {"members": ["wmLATE001"], "scene": 3}
    )
    await stack.drained()
    late = stack.clock.now() + timedelta(hours=4, minutes=1)  # 22:01: over an hour late
    assert (await tick(stack.deps, late)).digests == []
    early = stack.clock.now() + timedelta(hours=-10)  # 08:00 the same day: too early
    assert (await tick(stack.deps, early)).digests == []


async def test_a_redelivered_change_is_counted_once(stack: Stack) -> None:
    await make_groups(stack)
    await stack.sandbox.control(
        "POST",
        f"groups/{GROUPS[2]}/join",
        {"members": ["wmTWICE01", "wmTWICE02"], "scene": 1, "duplicates": 2},
    )
    await stack.drained()
    groups = Groups.of(stack.deps)
    counts = await groups.counters.day(groups.day_of(stack.clock.now()), GROUPS[2])
    assert counts == {"join": 2, "join:link": 2}
