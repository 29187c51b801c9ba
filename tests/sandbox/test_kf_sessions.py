"""微信客服 sessions: states and their allowed changes, replies only in 0/1, servicers on and
off duty, menu taps, and a test playing the servicer (take, write, end)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.sandbox import Sandbox

KF = "wkDEMOkf0001"
CUSTOMER = "wmKFsession01"
SESSION = f"kf/{KF}/customers/{CUSTOMER}"


async def write(sandbox: Sandbox, text: str = "你好") -> Any:
    return await sandbox.control("POST", f"{SESSION}/message", {"text": text})


async def state(sandbox: Sandbox) -> tuple[int, str]:
    answer = await sandbox.post(
        "kf/service_state/get", {"open_kfid": KF, "external_userid": CUSTOMER}
    )
    assert answer["errcode"] == 0, answer
    return answer["service_state"], answer["servicer_userid"]


async def trans(sandbox: Sandbox, to: int, servicer: str = "") -> int:
    body = {
        "open_kfid": KF,
        "external_userid": CUSTOMER,
        "service_state": to,
        "servicer_userid": servicer,
    }
    return int((await sandbox.post("kf/service_state/trans", body))["errcode"])


def reply(text: str = "您好") -> dict[str, Any]:
    return {"touser": CUSTOMER, "open_kfid": KF, "msgtype": "text", "text": {"content": text}}


async def test_a_customer_message_opens_a_session_the_api_may_answer(sandbox: Sandbox) -> None:
    assert await state(sandbox) == (4, "")
    await write(sandbox)
    assert await state(sandbox) == (0, "")
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 0


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([2, 3], [1]),  # 0 → pool → human; the pool cannot go back to the assistant
        ([1, 3, 4], [3]),  # 0 → assistant → human → ended; ended allows no API change
        ([3, 3], [2]),  # a human may hand over to another human, not to the pool
    ],
)
async def test_only_the_allowed_changes_happen(
    sandbox: Sandbox, path: list[int], refused: list[int]
) -> None:
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await write(sandbox)
    for to in path:
        assert await trans(sandbox, to, "lina" if to == 3 else "") == 0
    for to in refused:
        assert await trans(sandbox, to, "lina" if to == 3 else "") == 95016
    assert (await state(sandbox))[0] == path[-1]


async def test_state_3_needs_a_servicer_of_the_account(sandbox: Sandbox) -> None:
    await write(sandbox)
    assert await trans(sandbox, 3) == 40058
    assert await trans(sandbox, 3, "zhangwei") == 95016, "not a servicer of this account"


async def test_replies_are_refused_outside_states_0_and_1(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await write(sandbox)
    assert await trans(sandbox, 3, "lina") == 0
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 95017
    await sandbox.control("POST", f"{SESSION}/servicer_message", {"text": "我是李娜"})
    log = await sandbox.post("kf/sync_msg", {"open_kfid": KF})
    assert log["msg_list"][-1]["servicer_userid"] == "lina"
    await sandbox.control("POST", f"{SESSION}/end")
    assert await state(sandbox) == (4, "")
    assert log != await sandbox.post("kf/sync_msg", {"open_kfid": KF})
    await write(sandbox, "又来了")
    assert await state(sandbox) == (0, ""), "a new message opens a new session"
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 0


async def test_the_pool_is_taken_by_a_servicer_with_an_event(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "wangfang"})
    await write(sandbox)
    assert await trans(sandbox, 2) == 0
    await sandbox.control("POST", f"{SESSION}/take", {"servicer": "wangfang"})
    assert await state(sandbox) == (3, "wangfang")
    last = (await sandbox.post("kf/sync_msg", {"open_kfid": KF}))["msg_list"][-1]
    assert last["event"]["event_type"] == "session_status_change"
    assert (last["event"]["change_type"], last["event"]["new_servicer_userid"]) == (1, "wangfang")


async def test_servicers_go_on_and_off_duty(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "zhangwei", "status": 1})
    listed = await sandbox.get("kf/servicer/list", open_kfid=KF)
    assert [(s["userid"], s["status"]) for s in listed["servicer_list"]] == [
        ("lina", 0),
        ("zhangwei", 1),
    ]
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "nobody"}, expect=404)


async def test_five_replies_per_customer_message_within_48_hours(sandbox: Sandbox) -> None:
    await write(sandbox)
    for _ in range(5):
        assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 0
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 95018
    await write(sandbox, "还有问题")
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 0
    sandbox.clock.advance(timedelta(hours=48, seconds=1))
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 95018


async def test_a_tap_logs_the_menu_item_with_its_id(sandbox: Sandbox) -> None:
    await write(sandbox)
    menu = {
        "head_content": "您想了解:",
        "list": [
            {"type": "click", "click": {"id": "faq_price", "content": "价格"}},
            {"type": "click", "click": {"id": "human", "content": "人工"}},
        ],
    }
    sent = await sandbox.post(
        "kf/send_msg", {"touser": CUSTOMER, "open_kfid": KF, "msgtype": "msgmenu", "msgmenu": menu}
    )
    assert sent["errcode"] == 0
    await sandbox.control("POST", f"{SESSION}/tap", {"menu_id": "faq_price"})
    last = (await sandbox.post("kf/sync_msg", {"open_kfid": KF}))["msg_list"][-1]
    assert last["text"] == {"content": "价格", "menu_id": "faq_price"}
    await sandbox.control("POST", f"{SESSION}/tap", {"menu_id": "nope"}, expect=404)


async def test_a_session_lasts_48_hours_from_the_first_message(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"kf/{KF}/servicers", {"userid": "lina"})
    await write(sandbox)
    assert await trans(sandbox, 3, "lina") == 0
    sandbox.clock.advance(timedelta(hours=48, seconds=1))
    assert await state(sandbox) == (4, "")
    await write(sandbox, "在吗")
    assert await state(sandbox) == (0, "")
