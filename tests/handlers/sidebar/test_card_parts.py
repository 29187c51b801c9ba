"""The card's parts that come from other concerns: moderation's flags, the 话术库 with a
library image, and a reminder that is sent as a card at its time and done from WeCom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.reminders.repository import ReminderRepository
from tests.handlers.sidebar.stack import (
    CUSTOMER,
    GROUP,
    STAFF,
    add_image_reply,
    post_archived,
    start_sidebar_stack,
    upload_image,
)
from tests.handlers.sidebar.test_sidebar import json_of, sign_in
from tests.support.stack import ClientFactory, Stack
from tests.support.wecom import eventually


@pytest.fixture
def clock() -> ManualClock:
    """A Monday, 09:00 in Shanghai."""
    return ManualClock(datetime(2025, 3, 10, 1, 0, tzinfo=UTC))


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    """The sidebar's stack."""
    return await start_sidebar_stack(aiohttp_client, clock, redis_url, redis)


def said(msgid: str, sender: str, text: str, stack: Stack, **fields: object) -> dict[str, object]:
    """An archived message."""
    at = int(stack.clock.now().timestamp())
    return {"msgid": msgid, "from": sender, "text": text, "time": at, **fields}


async def test_a_flagged_message_of_the_customer_shows_on_the_card_once(stack: Stack) -> None:
    flagged = said("f1", CUSTOMER, "加我v.x详聊", stack, tolist=[STAFF])
    clean = said("f2", CUSTOMER, "请问什么时候发货？", stack, tolist=[STAFF])
    await post_archived(stack, [flagged, clean])
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    [flag] = card["flags"]
    assert (flag["kind"], flag["label"], flag["excerpt"]) == (
        "sensitive",
        "引流",
        "【加我v.x详聊】",
    )
    assert datetime.fromisoformat(flag["at"]) == stack.clock.now()
    # the staff member's own message does not flag the customer; a flag is kept once
    await post_archived(stack, [said("f3", STAFF, "加我v.x详聊", stack, tolist=[CUSTOMER])])
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert len(card["flags"]) == 1


async def test_an_intent_shows_on_the_card_and_puts_the_replies_that_fit_first(
    stack: Stack,
) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert card["last_intent"] is None
    assert not any(r["fits"] for g in card["quick_replies"] for r in g["replies"])
    stack.clock.advance(timedelta(minutes=5))
    await post_archived(stack, [said("i1", CUSTOMER, "这个多少钱呀", stack, tolist=[STAFF])])
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    [flag] = card["flags"]
    assert (flag["kind"], flag["label"], flag["excerpt"]) == ("intent", "price", "这个多少钱呀")
    assert card["last_intent"] == "price"
    first = card["quick_replies"][0]
    assert first["group"] == "售前"
    assert [(r["id"], r["fits"]) for r in first["replies"]][:2] == [
        ("price_list", True),
        ("greeting", False),
    ]


async def test_a_quick_reply_with_a_library_image_gives_text_and_a_fresh_mediaid(
    stack: Stack,
) -> None:
    item = await upload_image(stack)
    await add_image_reply(stack, item)
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    groups = {g["group"]: [r["id"] for r in g["replies"]] for g in card["quick_replies"]}
    assert groups["产品"] == ["product_photo"] and "greeting" in groups["售前"]
    answer = await json_of(
        await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/replies/product_photo", json={})
    )
    text, image = answer["messages"]
    assert text == {"msgtype": "text", "text": {"content": "这是我们的新品，请看图："}}
    uploads = [c for c in await stack.calls("media/upload") if c["response"]["errcode"] == 0]
    assert image == {"msgtype": "image", "image": {"mediaid": uploads[-1]["response"]["media_id"]}}
    card = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert card["timeline"][0]["action"] == "quick_reply"
    assert card["timeline"][0]["reply_id"] == "product_photo"
    missing = await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/replies/nope", json={})
    assert missing.status == 404
    as_form = await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/replies/greeting", data="x")
    assert as_form.status == 415
    siyu.session.cookie_jar.clear()
    await sign_in(stack, "wangfang")  # neither follows the customer nor is in the group
    refused = await siyu.post(f"/sidebar/api/customers/{CUSTOMER}/replies/greeting", json={})
    assert refused.status == 403
    in_group = await siyu.post(f"/sidebar/api/groups/{GROUP}/replies/greeting", json={})
    assert in_group.status == 403


async def test_a_reminder_set_in_the_sidebar_arrives_at_its_time_and_shows_sent_then_done(
    stack: Stack,
) -> None:
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    made = await json_of(
        await siyu.post(
            f"/sidebar/api/customers/{CUSTOMER}/reminders", json={"text": "明天上午10点回访"}
        ),
        201,
    )
    await stack.sandbox.control("POST", "clock", {"advance_seconds": 25 * 3600 - 1})
    await stack.drained()
    assert await prompts_of(stack, made["id"]) == []
    await stack.sandbox.control("POST", "clock", {"advance_seconds": 1})  # 10:00 tomorrow

    async def arrived() -> bool:
        return bool(await prompts_of(stack, made["id"]))

    await eventually(arrived)
    [card] = await prompts_of(stack, made["id"])
    assert "回访" in str(card)  # the new-customer SOP's step due then shares the card
    siyu.session.cookie_jar.clear()  # the 8-hour session ran out overnight
    siyu = await sign_in(stack, STAFF, external_userid=CUSTOMER)
    shown = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert {r["id"]: r["state"] for r in shown["reminders"]}[made["id"]] == "sent"
    done = await siyu.post(
        f"/sidebar/api/customers/{CUSTOMER}/reminders/{made['id']}/done", json={}
    )
    assert done.status == 200
    shown = await json_of(await siyu.get(f"/sidebar/api/customers/{CUSTOMER}"))
    assert {r["id"]: r["state"] for r in shown["reminders"]}[made["id"]] == "done"


async def prompts_of(stack: Stack, reminder_id: int) -> list[dict[str, object]]:
    """The prompt cards that carry the reminder (its record names its card's task_id)."""
    repo = ReminderRepository(stack.redis, stack.settings.wecom.corp_id)
    reminder = await repo.get(reminder_id)
    if reminder is None or not reminder.card:
        return []
    return [
        c
        for c in await stack.cards_to(STAFF)
        if isinstance(card := c.get("template_card"), dict) and card["task_id"] == reminder.card
    ]
