"""End to end: channel live codes made by siyu, allocation through the code's user list,
per-channel daily statistics, and the first scenario of issue 5 on codes siyu created."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.events.ticks import enqueue_minute_tick
from bot.live import RUNTIME
from handlers.customers.profiles import Customers
from handlers.intake.channel_store import ChannelCodes
from handlers.intake.live_codes import create_code, rebalance_all
from tests.handlers.intake.stack import Stack, rules_with, start_stack
from tests.support.stack import ClientFactory

# NOW (tests/conftest.py) is Tuesday 2026-11-24 10:00 UTC = 18:00 in Shanghai.
LIVE = {
    "name": "直播间",
    "state": "ch_live",
    "backup": ["manager"],
    "staff": [
        {"userid": "lina", "daily_cap": 50},
        {"userid": "wangfang", "daily_cap": 30},
        {"userid": "zhangwei", "daily_cap": 20, "hours": ["mon-fri 09:00-17:00"]},
    ],
}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


async def only_staff(stack: Stack, external_userid: str) -> str:
    profile = await Customers(stack.redis, stack.settings.wecom.corp_id).get(external_userid)
    assert profile is not None
    [userid] = profile.relations
    return userid


async def way_users(stack: Stack, config_id: str) -> list[str]:
    answer = await stack.sandbox.post("externalcontact/get_contact_way", {"config_id": config_id})
    return list(answer["contact_way"]["user"])


async def test_creating_a_channel_makes_a_multi_person_code_with_its_state(stack: Stack) -> None:
    await stack.set_rules(rules_with(channels={"live": LIVE}))

    code = await create_code(stack.deps, "live")

    [call] = await stack.calls("externalcontact/add_contact_way")
    assert call["body"]["state"] == "ch_live"
    assert call["body"]["type"] == 2
    assert call["body"]["user"] == ["lina", "wangfang"]  # zhangwei is off duty at 18:00
    assert (code.config_id, code.qr_code) == (
        call["response"]["config_id"],
        call["response"]["qr_code"],
    )
    assert await ChannelCodes(stack.redis, stack.settings.wecom.corp_id).get("live") == code
    assert await create_code(stack.deps, "live") == code  # made once
    assert len(await stack.calls("externalcontact/add_contact_way")) == 1


async def test_100_adds_follow_caps_hours_and_backup(stack: Stack, clock: ManualClock) -> None:
    await stack.set_rules(rules_with(channels={"live": LIVE}))
    code = await create_code(stack.deps, "live")

    receivers: Counter[str] = Counter()
    for number in range(100):
        added = await stack.scan(code.config_id, f"wmALLOC{number:05d}")
        receivers[added["staff"]] += 1
        await stack.drained()

    assert receivers == {"lina": 50, "wangfang": 30, "manager": 20}
    assert await way_users(stack, code.config_id) == ["manager"]  # everyone capped or off
    stats = await stack.channel_day("live")
    assert (stats.adds, dict(stats.adds_by_staff)) == (100, dict(receivers))

    # Next morning: caps start afresh and zhangwei's shift begins; the periodic rebalance
    # gives the code back to the rotation.
    clock.advance(timedelta(hours=15, minutes=30))  # Wednesday 09:30 in Shanghai
    plans = await rebalance_all(stack.deps)
    assert plans["live"] is not None and plans["live"].reason == "rotation"
    assert await way_users(stack, code.config_id) == ["lina", "wangfang", "zhangwei"]


async def test_daily_statistics_count_losses_by_side(stack: Stack) -> None:
    await stack.set_rules(rules_with(channels={"live": {**LIVE, "backup": []}}))
    code = await create_code(stack.deps, "live")
    for number in range(4):
        await stack.scan(code.config_id, f"wmSTATS{number:05d}")
    await stack.drained()
    staff_of = {f"wmSTATS{n:05d}": await only_staff(stack, f"wmSTATS{n:05d}") for n in range(4)}

    await stack.sandbox.control(
        "POST", "customers/wmSTATS00000/delete", {"staff": staff_of["wmSTATS00000"]}
    )
    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                {
                    "FromUserName": "sys",
                    "MsgType": "event",
                    "Event": "change_external_contact",
                    "ChangeType": "del_external_contact",
                    "UserID": staff_of["wmSTATS00001"],
                    "ExternalUserID": "wmSTATS00001",
                },
                {
                    "FromUserName": "sys",
                    "MsgType": "event",
                    "Event": "change_external_contact",
                    "ChangeType": "del_external_contact",
                    "UserID": staff_of["wmSTATS00002"],
                    "ExternalUserID": "wmSTATS00002",
                    "Source": "DELETE_BY_TRANSFER",
                },
            ]
        },
    )
    await stack.drained()

    stats = await stack.channel_day("live")
    assert (stats.adds, stats.deleted_by_customer, stats.deleted_by_staff) == (4, 1, 1)
    assert stats.net == 2


async def test_scan_a_then_b_welcomed_by_name_tagged_and_first_added_kept(
    stack: Stack, clock: ManualClock
) -> None:
    code_a = await create_code(stack.deps, "poster_a")  # the default rules: 海报A → zhangwei
    code_b = await create_code(stack.deps, "friend")  # 朋友推荐 → lina
    first_add = int(clock.now().timestamp())

    scanned = await stack.scan(code_a.config_id, "wmSCENARIOab0001")
    await stack.drained()

    [welcome] = await stack.calls("externalcontact/send_welcome_msg")
    assert welcome["response"]["errcode"] == 0
    assert welcome["body"]["text"]["content"].startswith(f"{scanned['customer']['name']}您好！")
    assert [a["msgtype"] for a in welcome["body"]["attachments"]] == ["link"]
    [marked] = await stack.calls("externalcontact/mark_tag")
    assert (marked["body"]["userid"], marked["body"]["add_tag"]) == ("zhangwei", ["etDEMOposter"])

    clock.advance(timedelta(days=1))
    again = await stack.scan(code_b.config_id, "wmSCENARIOab0001")
    await stack.drained()

    assert again["staff"] == "lina"
    profile = await Customers(stack.redis, stack.settings.wecom.corp_id).get("wmSCENARIOab0001")
    assert profile is not None
    assert profile.number("first_added_at") == first_add
    assert set(profile.relations) == {"zhangwei", "lina"}


async def test_the_scheduler_tick_brings_shift_changes_to_the_code(
    stack: Stack, clock: ManualClock
) -> None:
    await stack.set_rules(rules_with(channels={"live": LIVE}))
    code = await create_code(stack.deps, "live")
    assert code.users == ("lina", "wangfang")  # 18:00 in Shanghai: zhangwei is off duty

    clock.advance(timedelta(hours=15, minutes=30))  # Wednesday 09:30: zhangwei's shift began
    await enqueue_minute_tick(
        stack.siyu.app[RUNTIME].queue, stack.settings.wecom.corp_id, "default", clock.now()
    )
    await stack.drained()

    assert await way_users(stack, code.config_id) == ["lina", "wangfang", "zhangwei"]
