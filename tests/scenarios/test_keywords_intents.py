"""End to end through the sandbox: customers' intents on 微信客服 tag them, prompt their
staff member (once per cooldown), mark do-not-disturb, escalate to the manager."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.customers.do_not_disturb import DoNotDisturb
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

KF = "wkDEMOkf0001"
ZHAOMIN = "wmDEMOzhaomin0002"  # 赵敏, a contact of 张伟 (tags: 直播 only)


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


async def kf_says(stack: Stack, text: str, customer: str = ZHAOMIN, **options: Any) -> None:
    await stack.sandbox.control(
        "POST", f"kf/{KF}/customers/{customer}/message", {"text": text, **options}
    )
    await stack.drained()


async def texts(stack: Stack) -> list[tuple[str, str]]:
    return [
        (call["body"]["touser"], call["body"]["text"]["content"])
        for call in await stack.calls("message/send")
        if call["body"]["msgtype"] == "text"
    ]


async def test_a_price_question_prompts_the_staff_member_and_tags(stack: Stack) -> None:
    await kf_says(stack, "这个多少钱呀", duplicates=1)
    assert await texts(stack) == [("zhangwei", "客户赵敏在问价格：「这个多少钱呀」")]
    [marked] = await stack.calls("externalcontact/mark_tag")
    assert marked["body"]["userid"] == "zhangwei"
    assert marked["body"]["external_userid"] == ZHAOMIN
    assert marked["body"]["add_tag"] == ["etDEMOhigh"]  # 意向/高意向 of the demo corp
    assert await stack.calls("externalcontact/add_corp_tag") == []
    assert len(await stack.calls("message/send")) == 1, "one prompt, no alert card"
    assert stack.metric("siyu_intents_total", intent="price") == 1


async def test_the_same_prompt_waits_for_the_cooldown(stack: Stack, clock: ManualClock) -> None:
    await kf_says(stack, "这个多少钱呀")
    clock.advance(timedelta(minutes=10))
    await kf_says(stack, "价格能便宜点吗")
    assert len(await texts(stack)) == 1, "told within 30 minutes already"
    clock.advance(timedelta(minutes=25))
    await kf_says(stack, "到底多少钱")
    assert [to for to, _ in await texts(stack)] == ["zhangwei", "zhangwei"]


async def test_unsubscribing_marks_do_not_disturb(stack: Stack, clock: ManualClock) -> None:
    await kf_says(stack, "别再给我发广告了")
    entry = await DoNotDisturb(stack.redis, stack.settings.wecom.corp_id).get(ZHAOMIN)
    assert entry is not None
    assert entry.reason == "intent:unsubscribe"
    assert entry.since == clock.now()
    [(to, text)] = await texts(stack)
    assert to == "zhangwei" and "免打扰" in text


@pytest.mark.parametrize(
    ("said", "manager_hears"),
    [
        ("我要投诉你们", "客户赵敏投诉了（对接员工 张伟）：「我要投诉你们」"),
        ("转人工", "客户赵敏要求人工服务（对接员工 张伟）"),
    ],
)
async def test_complaints_and_asking_for_a_human_escalate(
    stack: Stack, said: str, manager_hears: str
) -> None:
    await kf_says(stack, said)
    told = dict(await texts(stack))
    assert set(told) == {"zhangwei", "manager"}
    assert told["manager"] == manager_hears


async def test_a_customer_nobody_has_as_a_contact_is_neither_tagged_nor_prompted(
    stack: Stack,
) -> None:
    await kf_says(stack, "这个多少钱呀", customer="wmKFvisitor0001")
    assert await texts(stack) == []
    assert await stack.calls("externalcontact/mark_tag") == []


async def test_innocent_words_do_nothing(stack: Stack) -> None:
    await kf_says(stack, "滚筒洗衣机还有吗")
    assert await stack.calls("message/send") == []
    assert await stack.calls("externalcontact/mark_tag") == []
