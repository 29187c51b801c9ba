"""End to end: archived chats posted to /api/v1/archive/messages are moderated once per
msgid; staff-side advertising-law promises go to compliance; group hits reach the group's
managers too; customers' intents act on the staff member they wrote to."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory

TOKEN = "archive-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ZHAOMIN = "wmDEMOzhaomin0002"


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    return await start_stack(aiohttp_client, clock, redis_url, redis, admin={"token": TOKEN})


def message(msgid: str, sender: str, text: str, stack: Stack, **fields: Any) -> dict[str, Any]:
    return {
        "msgid": msgid,
        "from": sender,
        "text": text,
        "time": int(stack.clock.now().timestamp()),
        **fields,
    }


async def post(stack: Stack, body: Any, status: int = 200) -> Any:
    response = await stack.siyu.post("/api/v1/archive/messages", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def cards(stack: Stack) -> list[tuple[str, dict[str, Any]]]:
    return [
        (call["body"]["touser"], call["body"]["template_card"])
        for call in await stack.calls("message/send")
        if call["body"]["msgtype"] == "template_card"
    ]


async def test_a_batch_posted_twice_alerts_once(stack: Stack) -> None:
    batch = [
        message("a1", ZHAOMIN, "加我v.x详聊", stack, to="zhangwei"),
        message("a2", "zhangwei", "我们家是全国第一，保证100%有效", stack, tolist=[ZHAOMIN]),
        {"msgid": "a3", "from": ZHAOMIN},
    ]
    answer = await post(stack, batch)
    assert (answer["queued"], answer["duplicates"]) == (2, 0)
    assert [(r["index"], r["msgid"]) for r in answer["rejected"]] == [(2, "a3")]
    await stack.drained()

    again = await post(stack, {"messages": batch[:2]})
    assert (again["queued"], again["duplicates"], again["rejected"]) == (0, 2, [])
    await stack.drained()

    sent = await cards(stack)
    assert sorted(to for to, _ in sent) == ["manager", "wangfang"]
    by_reviewer = dict(sent)
    assert by_reviewer["manager"]["main_title"]["desc"] == "【加我v.x详聊】"
    compliance = by_reviewer["wangfang"]
    assert compliance["main_title"]["title"] == "敏感内容：广告法"
    rows = {r["keyname"]: r["value"] for r in compliance["horizontal_content_list"]}
    assert (rows["发送人"], rows["接收人"], rows["来源"]) == ("员工 张伟", "客户 赵敏", "会话存档")
    assert rows["渠道"] == "直播间（ch_live_b）"


async def test_a_customer_asking_the_price_prompts_the_staff_member_written_to(
    stack: Stack,
) -> None:
    await post(stack, [message("p1", ZHAOMIN, "这个多少钱呀", stack, to="lina")])
    await stack.drained()
    prompts = [
        (c["body"]["touser"], c["body"]["text"]["content"])
        for c in await stack.calls("message/send")
    ]
    assert prompts == [("lina", "客户赵敏在问价格：「这个多少钱呀」")]


async def test_a_hit_in_a_group_also_tells_the_groups_managers(stack: Stack) -> None:
    created = await stack.sandbox.control("POST", "groups", {"name": "新品群", "owner": "lina"})
    await stack.drained()
    chat_id = created["chat_id"]
    await post(stack, [message("g1", ZHAOMIN, "进群的加我vx私聊", stack, roomid=chat_id)])
    await stack.drained()
    sent = dict(await cards(stack))
    assert set(sent) == {"manager", "lina"}
    assert sent["manager"]["main_title"]["desc"].startswith("进群的【加我vx")
    rows = {r["keyname"]: r["value"] for r in sent["manager"]["horizontal_content_list"]}
    assert (rows["接收人"], rows["来源"]) == ("群 新品群", "会话存档（群聊）")


@pytest.mark.parametrize(
    ("body", "status"),
    [("not json", 400), ({"messages": "x"}, 422), ([{}] * 1001, 413)],  # 422: wrong shape
)
async def test_bad_requests_are_refused(stack: Stack, body: Any, status: int) -> None:
    if isinstance(body, str):
        response = await stack.siyu.post("/api/v1/archive/messages", data=body, headers=AUTH)
        assert response.status == status
    else:
        await post(stack, body, status)


async def test_the_archive_api_needs_the_token(stack: Stack) -> None:
    response = await stack.siyu.post("/api/v1/archive/messages", json=[])
    assert response.status == 401
