"""End to end: churn cards to staff, managers' digests at the right local time, transfers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.events.ticks import enqueue_minute_tick
from bot.live import RUNTIME
from handlers.intake.churn_digest import send_due_digests
from handlers.intake.churn_store import ChurnDigests
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

POSTER_CODE = "cwDEMOposter"  # state ch_poster_a: channel 海报A, staff zhangwei (manager: manager)


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


def contact_event(change: str, userid: str, customer: str, **extra: str) -> dict[str, Any]:
    return {
        "FromUserName": "sys",
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": change,
        "UserID": userid,
        "ExternalUserID": customer,
        **extra,
    }


async def cards(stack: Stack) -> list[dict[str, Any]]:
    return [c for c in await stack.calls("message/send") if c["body"]["msgtype"] == "template_card"]


async def test_the_staff_member_a_customer_deleted_gets_a_card(
    stack: Stack, clock: ManualClock
) -> None:
    scanned = await stack.scan(POSTER_CODE, "wmCHURN000001")
    await stack.drained()
    clock.advance(timedelta(days=37, hours=2))

    await stack.sandbox.control("POST", "customers/wmCHURN000001/delete", {"staff": "zhangwei"})
    await stack.drained()

    [sent] = await cards(stack)
    assert sent["body"]["touser"] == "zhangwei"
    card = sent["body"]["template_card"]
    assert card["card_type"] == "button_interaction"
    name = scanned["customer"]["name"]
    assert card["main_title"]["title"] == f"客户「{name}」删除了你"
    rows = {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}
    assert rows["客户"] == name
    assert rows["来源渠道"] == "海报A"
    assert rows["客户时长"] == "37 天（2026-11-24 添加）"
    assert rows["最后互动"] == "2026-11-24 18:00"  # the welcome (Asia/Shanghai)
    assert sent["body"]["enable_duplicate_check"] == 1

    click = {"task_id": card["task_id"], "event_key": "churn_follow_up"}
    await stack.sandbox.control("POST", "staff/zhangwei/card_click", click)
    await stack.drained()
    [update] = await stack.calls("message/update_template_card")
    assert update["body"]["button"]["replace_name"] == "已安排回访"
    assert update["response"]["errcode"] == 0


async def test_a_deletion_by_transfer_is_not_churn(stack: Stack) -> None:
    await stack.scan(POSTER_CODE, "wmCHURN000002")
    await stack.drained()

    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                contact_event(
                    "del_external_contact", "zhangwei", "wmCHURN000002", Source="DELETE_BY_TRANSFER"
                ),
            ]
        },
    )
    await stack.drained()

    assert await cards(stack) == []
    digests = ChurnDigests(stack.redis, stack.settings.wecom.corp_id)
    assert await digests.before("manager", 2**40) == []
    assert (await stack.channel_day("poster_a")).deleted_by_staff == 0


async def test_a_staff_deletion_goes_to_the_digest_without_a_card(stack: Stack) -> None:
    await stack.scan(POSTER_CODE, "wmCHURN000003")
    await stack.drained()

    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                contact_event("del_external_contact", "zhangwei", "wmCHURN000003"),
            ]
        },
    )
    await stack.drained()

    assert await cards(stack) == []
    [loss] = await ChurnDigests(stack.redis, stack.settings.wecom.corp_id).before("manager", 2**40)
    assert (loss.kind, loss.staff, loss.channel) == ("staff_deleted", "zhangwei", "海报A")


async def test_a_failed_transfer_is_explained_to_takeover_and_manager(stack: Stack) -> None:
    await stack.scan(POSTER_CODE, "wmCHURN000004")
    await stack.drained()

    await stack.sandbox.control(
        "POST",
        "emit",
        {
            "events": [
                contact_event(
                    "transfer_fail", "lina", "wmCHURN000004", FailReason="customer_refused"
                ),
            ]
        },
    )
    await stack.drained()

    [told] = [c for c in await stack.calls("message/send") if c["body"]["msgtype"] == "text"]
    assert told["body"]["touser"] == "lina|manager"
    assert "客户拒绝了接替" in told["body"]["text"]["content"]


@pytest.mark.parametrize(
    ("zone", "just_before", "digest_at"),
    [
        # 08:00 in Shanghai is 00:00 UTC; the deletion happens at 10:00 UTC (18:00 local)
        (
            "Asia/Shanghai",
            datetime(2026, 11, 24, 23, 59, tzinfo=UTC),
            datetime(2026, 11, 25, 0, 0, tzinfo=UTC),
        ),
        # 08:00 in New York (EST, UTC-5) is 13:00 UTC; the deletion is at 05:00 local
        (
            "America/New_York",
            datetime(2026, 11, 24, 12, 59, tzinfo=UTC),
            datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
        ),
        (
            "UTC",
            datetime(2026, 11, 25, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        ),
    ],
)
async def test_the_digest_goes_out_at_the_local_time_and_only_once(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis: Redis,
    zone: str,
    just_before: datetime,
    digest_at: datetime,
) -> None:
    stack = await start_stack(aiohttp_client, clock, redis_url, redis, timezone=zone)
    await stack.scan(POSTER_CODE, "wmCHURN000005")
    await stack.drained()
    await stack.sandbox.control("POST", "customers/wmCHURN000005/delete", {"staff": "zhangwei"})
    await stack.drained()

    assert await send_due_digests(stack.deps) == {}, "no digest right after the loss"
    clock.advance(just_before - clock.now())
    assert await send_due_digests(stack.deps) == {}, "not a minute early"
    clock.advance(digest_at - clock.now())
    assert await send_due_digests(stack.deps) == {"manager": 1}
    clock.advance(timedelta(minutes=5))
    assert await send_due_digests(stack.deps) == {}, "once per day"

    [digest] = [c for c in await stack.calls("message/send") if c["body"]["msgtype"] == "markdown"]
    assert digest["body"]["touser"] == "manager"
    content = digest["body"]["markdown"]["content"]
    assert '客户删除成员 <font color="warning">1</font> 人' in content


async def test_a_digest_missed_by_hours_waits_for_the_next_day(
    stack: Stack, clock: ManualClock
) -> None:
    await stack.scan(POSTER_CODE, "wmCHURN000006")
    await stack.drained()
    await stack.sandbox.control("POST", "customers/wmCHURN000006/delete", {"staff": "zhangwei"})
    await stack.drained()

    clock.advance(datetime(2026, 11, 25, 7, 0, tzinfo=UTC) - clock.now())  # 15:00 in Shanghai
    assert await send_due_digests(stack.deps) == {}, "the 08:00 digest does not go out at 15:00"
    clock.advance(timedelta(hours=17))  # 08:00 the next day
    assert await send_due_digests(stack.deps) == {"manager": 1}


async def test_the_scheduler_tick_sends_the_digest_at_its_time(
    stack: Stack, clock: ManualClock
) -> None:
    await stack.scan(POSTER_CODE, "wmCHURN000007")
    await stack.drained()
    await stack.sandbox.control("POST", "customers/wmCHURN000007/delete", {"staff": "zhangwei"})
    await stack.drained()

    clock.advance(datetime(2026, 11, 25, 0, 0, 30, tzinfo=UTC) - clock.now())  # 08:00:30 local
    await enqueue_minute_tick(
        stack.siyu.app[RUNTIME].queue, stack.settings.wecom.corp_id, "default", clock.now()
    )
    await stack.drained()

    digests = [c for c in await stack.calls("message/send") if c["body"]["msgtype"] == "markdown"]
    assert [d["body"]["touser"] for d in digests] == ["manager"]
