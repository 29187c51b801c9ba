"""End to end through the sandbox: the 微信客服 bot welcomes, answers FAQ questions however they
are phrased, answers menu taps, hands over to a servicer on duty who is told why, stays silent
while the human serves, answers again once the session ended, never answers a diversion
attempt, and never replies outside WeCom's 48 h window (recorded instead)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store import keys
from handlers.conversations.bot import KfBot
from handlers.conversations.kf import message_from_kf
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

KF = "wkDEMOkf0001"
LIUYANG = "wmDEMOliuyang0001"
OTHER = "wmKFnewcomer0001"
PRICE = "思域健身会员价格"
AUTH = {"Authorization": "Bearer kf-admin-token"}


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(
        aiohttp_client, clock, redis_url, redis, admin={"token": "kf-admin-token"}
    )


async def says(stack: Stack, text: str, customer: str = LIUYANG) -> None:
    await stack.sandbox.control("POST", f"kf/{KF}/customers/{customer}/message", {"text": text})
    await stack.drained()


async def act(stack: Stack, what: str, body: dict[str, Any] | None = None) -> None:
    await stack.sandbox.control("POST", f"kf/{KF}/customers/{LIUYANG}/{what}", body or {})
    await stack.drained()


async def replies(stack: Stack, customer: str = LIUYANG) -> list[dict[str, Any]]:
    """What the bot sent the customer (kf/send_msg accepted by WeCom)."""
    return [
        call["body"]
        for call in await stack.calls("kf/send_msg")
        if call["body"]["touser"] == customer and call["response"]["errcode"] == 0
    ]


def said(body: dict[str, Any]) -> str:
    if body["msgtype"] == "msgmenu":
        return str(body["msgmenu"]["head_content"])
    return str(body.get("text", {}).get("content", body["msgtype"]))


async def test_a_customer_is_answered_then_handed_to_a_human(stack: Stack) -> None:
    await stack.sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await act(stack, "enter", {"scene": "poster"})
    [welcome] = [c["body"] for c in await stack.calls("kf/send_msg_on_event")]
    assert welcome["msgtype"] == "msgmenu"
    assert welcome["msgmenu"]["head_content"].startswith("您好，感谢扫描海报咨询思域健身")
    assert [i["click"]["id"] for i in welcome["msgmenu"]["list"]] == ["price", "booking", "human"]

    for phrasing in ("多少钱", "这个怎么卖", "你们家会员卡什么价格"):
        before = len(await replies(stack))
        await says(stack, phrasing)
        answer = (await replies(stack))[before:]
        assert said(answer[0]).startswith(PRICE), phrasing
        assert [b["msgtype"] for b in answer] == ["msgmenu", "link"], "the price list follows"

    await act(stack, "tap", {"menu_id": "address"})
    assert said((await replies(stack))[-1]).startswith("门店地址")

    await says(stack, "我要转人工")
    assert said((await replies(stack))[-1]) == "好的，正在为您转接人工客服，请稍候。"
    [trans] = [c["body"] for c in await stack.calls("kf/service_state/trans")]
    assert (trans["service_state"], trans["servicer_userid"]) == (3, "lina")
    [note] = await stack.cards_to("lina")
    assert "原因：客户要求人工客服" in note["text"]["content"]
    assert "客户" in note["text"]["content"] and "我要转人工" in note["text"]["content"]
    assert stack.metric("siyu_kf_handoffs_total", reason="human", to="servicer") == 1

    count = len(await replies(stack))
    await says(stack, "价格能再便宜点吗")
    await act(stack, "servicer_message", {"text": "您好，我是李娜"})
    assert len(await replies(stack)) == count, "silent while the human serves"

    await act(stack, "end")
    await says(stack, "地址在哪")
    assert said((await replies(stack))[-1]).startswith("门店地址"), "the bot is back"

    shown = await stack.siyu.get(f"/api/v1/kf/transcripts/{LIUYANG}?limit=4", headers=AUTH)
    lines = [(line["who"], line["text"][:6]) for line in (await shown.json())["lines"]]
    assert lines == [
        ("customer", "价格能再便宜"),
        ("servicer:lina", "您好，我是李"),
        ("customer", "地址在哪"),
        ("bot", "门店地址：上"),
    ]


async def test_a_disguised_diversion_gets_no_answer(stack: Stack) -> None:
    await says(stack, "好的，加我v.x详聊吧")
    assert await replies(stack) == []
    assert stack.metric("siyu_sensitive_hits_total", category="diversion", role="customer") == 1
    assert stack.metric("siyu_kf_replies_total", kind="answer", outcome="sensitive") == 1


async def test_two_fallbacks_in_a_row_go_to_the_pool_when_nobody_is_on_duty(stack: Stack) -> None:
    await says(stack, "嗯嗯")
    assert said((await replies(stack))[-1]).startswith("抱歉，我没太明白")
    await says(stack, "哦哦")
    [trans] = [c["body"] for c in await stack.calls("kf/service_state/trans")]
    assert trans["service_state"] == 2
    assert said((await replies(stack))[-1]).startswith("好的，已为您排队等待人工客服")
    assert stack.metric("siyu_kf_handoffs_total", reason="fallback", to="pool") == 1


async def test_a_tap_on_human_and_a_rating(stack: Stack) -> None:
    await says(stack, "多少钱")
    await act(stack, "tap", {"menu_id": "sat_good"})
    assert stack.metric("siyu_kf_satisfaction_total", rating="good") == 1
    await says(stack, "多少钱")
    await act(stack, "tap", {"menu_id": "human"})
    [trans] = [c["body"] for c in await stack.calls("kf/service_state/trans")]
    assert trans["service_state"] == 2  # nobody on duty: the pool
    assert stack.metric("siyu_kf_handoffs_total", reason="tap", to="pool") == 1


async def test_no_reply_outside_48_hours_it_is_recorded(stack: Stack, redis: Redis) -> None:
    url = stack.world.emitter.url_of("default")
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await says(stack, "多少钱")  # siyu is down: nobody pulls it
    stack.clock.advance(timedelta(hours=49))
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": url})
    await says(stack, "多少钱", customer=OTHER)  # the next notification pulls both

    assert await replies(stack) == [], "the late customer is not answered"
    assert said((await replies(stack, OTHER))[0]).startswith(PRICE)
    [record] = await stack.deps.redis.lrange(keys.kf_unsent(stack.settings.wecom.corp_id), 0, -1)
    assert '"customer": "wmDEMOliuyang0001"' in record and "no_window" in record
    shown = await (await stack.siyu.get("/api/v1/kf/unsent", headers=AUTH)).json()
    [item] = shown["unsent"]
    assert (item["customer"], item["reason"]) == (LIUYANG, "answer: no_window")
    assert stack.metric("siyu_kf_unsent_total", reason="no_window") == 1
    sent_to = [c["body"]["touser"] for c in await stack.calls("kf/send_msg")]
    assert LIUYANG not in sent_to, "not even tried: WeCom would refuse it"


async def test_nothing_is_answered_twice(stack: Stack) -> None:
    await act(stack, "enter")
    await says(stack, "多少钱")
    before = (len(await replies(stack)), len(await stack.calls("kf/send_msg_on_event")))
    corp = stack.settings.wecom.corp_id
    await stack.redis.delete(keys.kf_cursor(corp, KF))  # the next pull re-reads everything
    await says(stack, "地址在哪")
    assert len(await stack.calls("kf/send_msg_on_event")) == before[1], "welcomed once"
    answers = (await replies(stack))[before[0] :]
    assert [said(b)[:4] for b in answers] == ["门店地址"], "only the new message is answered"

    item = next(m for m in reversed(stack.world.corp.kf_log) if m.origin == 3).as_json()
    message = message_from_kf(item)
    assert message is not None
    await KfBot(stack.deps).answer(message)  # a redelivery after a crash
    assert len(await replies(stack)) == before[0] + 1


async def test_a_welcome_read_after_20_seconds_is_not_tried(stack: Stack) -> None:
    url = stack.world.emitter.url_of("default")
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await act(stack, "enter")
    stack.clock.advance(timedelta(seconds=25))
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": url})
    await says(stack, "你好")
    assert await stack.calls("kf/send_msg_on_event") == []
    assert stack.metric("siyu_kf_replies_total", kind="welcome", outcome="missed") == 1


async def test_a_refused_transfer_falls_back_to_the_pool(stack: Stack) -> None:
    await stack.sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await stack.sandbox.control(
        "POST", "faults", {"api": "kf/service_state/trans", "errcode": 95016, "count": 1}
    )
    await says(stack, "我要投诉")
    tried = [
        (c["body"]["service_state"], c["response"]["errcode"])
        for c in await stack.calls("kf/service_state/trans")
    ]
    assert tried == [(3, 95016), (2, 0)]
    assert stack.metric("siyu_kf_handoffs_total", reason="complaint", to="pool") == 1
    assert await stack.cards_to("lina") == [], "nobody was told: the pool's first free takes it"
    session = await stack.sandbox.control("GET", f"kf/{KF}/customers/{LIUYANG}/session")
    assert session["service_state"] == 2


async def test_what_was_said_to_the_human_is_not_answered_after_the_end(stack: Stack) -> None:
    await stack.sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await says(stack, "转人工")
    before = len(await replies(stack))
    url = stack.world.emitter.url_of("default")
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": None})
    await says(stack, "好的谢谢")  # to 李娜
    stack.clock.advance(timedelta(seconds=1))
    await act(stack, "end")
    stack.clock.advance(timedelta(seconds=1))
    await stack.sandbox.control("POST", "callback_url", {"app": "default", "url": url})
    await says(stack, "地址在哪")  # one pull reads all three
    answers = (await replies(stack))[before:]
    assert [said(b)[:4] for b in answers] == ["门店地址"]


async def test_a_switched_off_bot_keeps_quiet_but_keeps_the_transcript(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> None:
    stack = await start_stack(
        aiohttp_client,
        clock,
        redis_url,
        redis,
        kf={"enabled": False},
        admin={"token": "kf-admin-token"},
    )
    await act(stack, "enter")
    await says(stack, "多少钱")
    assert await stack.calls("kf/send_msg") == await stack.calls("kf/send_msg_on_event") == []
    shown = await stack.siyu.get(f"/api/v1/kf/transcripts/{LIUYANG}", headers=AUTH)
    assert [line["text"] for line in (await shown.json())["lines"]] == ["多少钱"]


async def test_a_kf_only_customer_is_looked_up_in_the_contacts_once_not_per_message(
    stack: Stack,
) -> None:
    """WeCom says a 微信客服-only customer is nobody's contact (84061): moderation asked again
    for every message with an intent, an HTTP call the answer does not need."""
    for text in ("请问办卡多少钱", "年卡价格是多少", "月卡多少钱呀"):
        await says(stack, text, customer=OTHER)
    lookups = [
        call
        for call in await stack.calls("externalcontact/get")
        if call["body"].get("external_userid") == OTHER
    ]
    assert [call["response"]["errcode"] for call in lookups] == [84061]
    assert len(await replies(stack, OTHER)) >= 3, "answered all the same"
