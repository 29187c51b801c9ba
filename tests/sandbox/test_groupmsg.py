"""Group-sends: add_msg_template, confirmation by the sender, statuses, caps, remind, cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.config import Limits, SandboxConfig
from tests.support.sandbox import Sandbox, SandboxFactory

API = "externalcontact"
TEXT = {"content": "本周新品八折"}


async def create(sandbox: Sandbox, **body: Any) -> Any:
    answer = await sandbox.post(f"{API}/add_msg_template", {"text": TEXT, **body})
    assert answer["errcode"] == 0, answer
    return answer


async def test_single_send_lifecycle(sandbox: Sandbox) -> None:
    created = await create(sandbox, sender="zhangwei")
    msgid = created["msgid"]
    assert created["fail_list"] == []
    task = await sandbox.post(f"{API}/get_groupmsg_task", {"msgid": msgid})
    assert task["task_list"] == [{"userid": "zhangwei", "status": 0}]
    unsent = await sandbox.post(
        f"{API}/get_groupmsg_send_result", {"msgid": msgid, "userid": "zhangwei"}
    )
    assert [s["status"] for s in unsent["send_list"]] == [0, 0]
    confirmed = await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "zhangwei"})
    assert (confirmed["sent"], confirmed["not_friends"], confirmed["capped"]) == (2, 0, 0)
    task = await sandbox.post(f"{API}/get_groupmsg_task", {"msgid": msgid})
    now = int(sandbox.clock.now().timestamp())
    assert task["task_list"] == [{"userid": "zhangwei", "status": 2, "send_time": now}]
    sent = await sandbox.post(
        f"{API}/get_groupmsg_send_result", {"msgid": msgid, "userid": "zhangwei"}
    )
    assert sent["send_list"] == [
        {
            "external_userid": "wmDEMOliuyang0001",
            "userid": "zhangwei",
            "status": 1,
            "send_time": now,
        },
        {
            "external_userid": "wmDEMOzhaomin0002",
            "userid": "zhangwei",
            "status": 1,
            "send_time": now,
        },
    ]
    await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "zhangwei"}, 409)


async def test_customers_who_left_are_not_friends(sandbox: Sandbox) -> None:
    msgid = (await create(sandbox, sender="zhangwei"))["msgid"]
    await sandbox.control("POST", "customers/wmDEMOzhaomin0002/delete", {"staff": "zhangwei"})
    confirmed = await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "zhangwei"})
    assert (confirmed["sent"], confirmed["not_friends"]) == (1, 1)


async def test_fail_list_and_tag_filter(sandbox: Sandbox) -> None:
    created = await create(
        sandbox,
        sender="zhangwei",
        external_userid=["wmDEMOliuyang0001", "wmDEMOsunjing0003", "wmNOPE"],
    )
    assert created["fail_list"] == ["wmDEMOsunjing0003", "wmNOPE"]
    tagged = await create(
        sandbox, tag_filter={"group_list": [{"tag_list": ["etDEMOmid", "etDEMOlow"]}]}
    )
    result = await sandbox.post(f"{API}/get_groupmsg_task", {"msgid": tagged["msgid"]})
    assert result["task_list"] == [{"userid": "lina", "status": 0}]
    sends = await sandbox.post(
        f"{API}/get_groupmsg_send_result", {"msgid": tagged["msgid"], "userid": "lina"}
    )
    targets = [s["external_userid"] for s in sends["send_list"]]
    assert targets == ["wmDEMOsunjing0003", "wmDEMOzhoujie0004"]


async def test_monthly_cap_gives_status_3(
    make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    sandbox = await make_sandbox(
        replace(sandbox_config, limits=Limits(groupmsg_per_target_per_month=1))
    )
    first = (await create(sandbox, sender="lina"))["msgid"]
    second = (await create(sandbox, sender="lina"))["msgid"]
    await sandbox.control("POST", f"groupmsg/{first}/confirm", {"staff": "lina"})
    capped = await sandbox.control("POST", f"groupmsg/{second}/confirm", {"staff": "lina"})
    assert (capped["sent"], capped["capped"]) == (0, 2)
    result = await sandbox.post(
        f"{API}/get_groupmsg_send_result", {"msgid": second, "userid": "lina"}
    )
    assert [s["status"] for s in result["send_list"]] == [3, 3]
    sandbox.clock.advance(timedelta(days=31))  # a new month
    third = (await create(sandbox, sender="lina"))["msgid"]
    again = await sandbox.control("POST", f"groupmsg/{third}/confirm", {"staff": "lina"})
    assert again["sent"] == 2


async def test_default_cap_is_the_days_of_the_month(sandbox: Sandbox) -> None:
    # NOW is 2026-11-24: November has 30 days.
    for _ in range(30):
        msgid = (await create(sandbox, sender="wangfang"))["msgid"]
        done = await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "wangfang"})
        assert done["sent"] == 1
    msgid = (await create(sandbox, sender="wangfang"))["msgid"]
    done = await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "wangfang"})
    assert done["capped"] == 1


async def test_group_chat_send(sandbox: Sandbox) -> None:
    created = await create(sandbox, chat_type="group", sender="zhangwei")
    sends = await sandbox.post(
        f"{API}/get_groupmsg_send_result", {"msgid": created["msgid"], "userid": "zhangwei"}
    )
    assert sends["send_list"] == [{"chat_id": "wrDEMOvip0001", "userid": "zhangwei", "status": 0}]
    no_sender = await sandbox.post(f"{API}/add_msg_template", {"chat_type": "group", "text": TEXT})
    assert no_sender["errcode"] == 40058


async def test_list_v2(sandbox: Sandbox) -> None:
    start = int(sandbox.clock.now().timestamp())
    msgid = (await create(sandbox, sender="zhangwei"))["msgid"]
    sandbox.clock.advance(timedelta(minutes=1))
    await create(sandbox, sender="lina")
    body = {"chat_type": "single", "start_time": start, "end_time": start + 3600}
    listed = await sandbox.post(f"{API}/get_groupmsg_list_v2", body)
    assert len(listed["group_msg_list"]) == 2
    item = listed["group_msg_list"][0]
    assert {"msgid", "creator", "create_time", "create_type", "text", "attachments"} <= set(item)
    assert (item["msgid"], item["creator"], item["text"]) == (msgid, "zhangwei", TEXT)
    mine = await sandbox.post(f"{API}/get_groupmsg_list_v2", {**body, "creator": "lina"})
    assert len(mine["group_msg_list"]) == 1
    paged = await sandbox.post(f"{API}/get_groupmsg_list_v2", {**body, "limit": 1})
    assert paged["next_cursor"]
    too_long = {**body, "end_time": start + 32 * 86400}
    assert (await sandbox.post(f"{API}/get_groupmsg_list_v2", too_long))["errcode"] == 40058
    missing = {"chat_type": "single", "start_time": start}
    assert (await sandbox.post(f"{API}/get_groupmsg_list_v2", missing))["errcode"] == 40058
    default_single = {"start_time": start, "end_time": start + 3600}
    listed = await sandbox.post(f"{API}/get_groupmsg_list_v2", default_single)
    assert len(listed["group_msg_list"]) == 2


async def test_remind_and_cancel(sandbox: Sandbox) -> None:
    msgid = (await create(sandbox, sender="zhangwei"))["msgid"]
    remind = f"{API}/remind_groupmsg_send"
    assert (await sandbox.post(remind, {"msgid": msgid}))["errcode"] == 0
    assert (await sandbox.post(remind, {"msgid": msgid}))["errcode"] == 40058  # 24 h apart
    for _ in range(2):
        sandbox.clock.advance(timedelta(hours=24))
        assert (await sandbox.post(remind, {"msgid": msgid}))["errcode"] == 0
    sandbox.clock.advance(timedelta(hours=24))
    assert (await sandbox.post(remind, {"msgid": msgid}))["errcode"] == 40058  # at most 3
    cancelled = await sandbox.post(f"{API}/cancel_groupmsg_send", {"msgid": msgid})
    assert cancelled == {"errcode": 0, "errmsg": "ok"}
    await sandbox.control("POST", f"groupmsg/{msgid}/confirm", {"staff": "zhangwei"}, 409)
    assert (await sandbox.post(f"{API}/cancel_groupmsg_send", {"msgid": "x"}))["errcode"] == 40058


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"sender": "zhangwei"}, 40058),
        ({"text": TEXT, "external_userid": [f"wm{i}" for i in range(10_001)]}, 40058),
        ({"text": TEXT, "chat_type": "broadcast"}, 40058),
        ({"text": {"content": "字" * 1334}, "sender": "zhangwei"}, 45002),
        ({"text": TEXT, "sender": "nobody"}, 60111),
        ({"text": TEXT, "external_userid": ["wmNOPE"]}, 40058),
    ],
)
async def test_add_msg_template_errors(
    sandbox: Sandbox, body: dict[str, object], errcode: int
) -> None:
    assert (await sandbox.post(f"{API}/add_msg_template", body))["errcode"] == errcode
