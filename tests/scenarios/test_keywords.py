"""End to end through the sandbox: sensitive words on 微信客服, app and archived messages
alert their reviewers once, with the excerpt highlighted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.store import keys
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

KF = "wkDEMOkf0001"
LIUYANG = "wmDEMOliuyang0001"  # 刘洋, brought by the 海报A live code, a contact of 张伟


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis)


async def kf_says(stack: Stack, text: str, customer: str = LIUYANG, **options: Any) -> None:
    await stack.sandbox.control(
        "POST", f"kf/{KF}/customers/{customer}/message", {"text": text, **options}
    )
    await stack.drained()


async def alert_cards(stack: Stack) -> list[dict[str, Any]]:
    return [
        call["body"]
        for call in await stack.calls("message/send")
        if call["body"].get("msgtype") == "template_card"
        and call["body"]["template_card"]["task_id"].startswith("siyu-m")
    ]


def rows(card: dict[str, Any]) -> dict[str, str]:
    return {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}


async def test_a_disguised_wechat_id_alerts_the_reviewer_once(stack: Stack) -> None:
    await kf_says(stack, "好的，加我v.x详聊吧", duplicates=2)  # WeCom delivers it 3 times

    [sent] = await alert_cards(stack)
    assert sent["touser"] == "manager"
    card = sent["template_card"]
    assert card["main_title"]["title"] == "敏感内容：引流"
    assert card["main_title"]["desc"] == "好的，【加我v.x详聊】吧"
    assert rows(card) == {
        "发送人": "客户 刘洋",
        "接收人": f"微信客服 {KF}",
        "来源": "微信客服",
        "渠道": "海报A（ch_poster_a）",
        "违规次数": "第1次（引流 1 次）",
        "时间": "11-24 18:00",
    }
    assert [b["text"] for b in card["button_list"]] == ["已处理", "误报"]
    [marked] = await stack.calls("externalcontact/mark_tag")
    assert (marked["body"]["userid"], marked["body"]["external_userid"]) == ("zhangwei", LIUYANG)
    [created] = await stack.calls("externalcontact/add_corp_tag")
    assert created["body"]["group_name"] == "风控"
    assert created["body"]["tag"] == [{"name": "引流风险"}]
    assert stack.metric("siyu_sensitive_hits_total", category="diversion", role="customer") == 1


async def test_innocent_words_alert_nobody(stack: Stack) -> None:
    await kf_says(stack, "滚筒洗衣机还有吗")
    await kf_says(stack, "我们公司做成人教育")
    assert await stack.calls("message/send") == []
    assert await stack.calls("externalcontact/mark_tag") == []


async def test_a_later_notification_does_not_alert_old_messages_again(stack: Stack) -> None:
    await kf_says(stack, "加我v.x详聊")
    await kf_says(stack, "ＶＸ同号")
    await kf_says(stack, "谢谢")
    cards = await alert_cards(stack)
    assert [c["template_card"]["main_title"]["desc"] for c in cards] == [
        "【加我v.x详聊】",
        "【ＶＸ同号】",
    ]
    assert rows(cards[1]["template_card"])["违规次数"] == "第2次（引流 2 次）"
    cursor = await stack.redis.get(keys.kf_cursor(stack.settings.wecom.corp_id, KF))
    assert cursor


async def test_staff_side_ad_law_goes_to_compliance(stack: Stack) -> None:
    await stack.sandbox.control(
        "POST", "staff/zhangwei/message", {"text": "跟客户说我们是全国第一，保证100%有效"}
    )
    await stack.drained()
    [sent] = await alert_cards(stack)
    assert sent["touser"] == "wangfang"
    card = sent["template_card"]
    assert card["main_title"]["title"] == "敏感内容：广告法"
    desc = card["main_title"]["desc"]
    assert desc.startswith("跟客户说我们是【全国第一】，"), desc
    assert re.search("【[^】]*100%有效】$", desc), "both promises, each in 【】"
    assert rows(card)["发送人"] == "员工 张伟"
    assert rows(card)["违规次数"] == "第1次（广告法 1 次）"


async def test_a_false_positive_takes_the_count_back(stack: Stack) -> None:
    await kf_says(stack, "加我v.x详聊")
    [sent] = await alert_cards(stack)
    task_id = sent["template_card"]["task_id"]
    await stack.sandbox.control(
        "POST", "staff/manager/card_click", {"task_id": task_id, "event_key": "mod_false"}
    )
    await stack.drained()
    [updated] = await stack.calls("message/update_template_card")
    assert updated["body"]["button"] == {"replace_name": "已标为误报"}
    counts = await stack.redis.hgetall(
        keys.violations(stack.settings.wecom.corp_id, "customer", LIUYANG)
    )
    assert counts == {"diversion": "0", "total": "0"}
