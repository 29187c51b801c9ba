"""Customer groups: groupchat/list and groupchat/get; people joining and quitting."""

from __future__ import annotations

import pytest

from tests.support.sandbox import Sandbox

API = "externalcontact/groupchat"
VIP = "wrDEMOvip0001"


async def test_list_shape_and_owner_filter(sandbox: Sandbox) -> None:
    answer = await sandbox.post(f"{API}/list", {"limit": 1})
    assert answer["group_chat_list"] == [{"chat_id": VIP, "status": 0}]
    assert answer["next_cursor"]
    rest = await sandbox.post(f"{API}/list", {"limit": 10, "cursor": answer["next_cursor"]})
    assert rest["group_chat_list"] == [{"chat_id": "wrDEMOtrial0002", "status": 0}]
    assert rest["next_cursor"] == ""
    owned = await sandbox.post(
        f"{API}/list", {"limit": 10, "owner_filter": {"userid_list": ["lina"]}}
    )
    assert [g["chat_id"] for g in owned["group_chat_list"]] == ["wrDEMOtrial0002"]


@pytest.mark.parametrize("body", [{}, {"limit": 0}, {"limit": 1001}])
async def test_list_needs_a_limit(sandbox: Sandbox, body: dict[str, object]) -> None:
    assert (await sandbox.post(f"{API}/list", body))["errcode"] == 40058


async def test_get_shape(sandbox: Sandbox) -> None:
    answer = await sandbox.post(f"{API}/get", {"chat_id": VIP, "need_name": 1})
    chat = answer["group_chat"]
    assert {
        "chat_id",
        "name",
        "owner",
        "create_time",
        "notice",
        "member_list",
        "admin_list",
        "member_version",
    } <= set(chat)
    assert (chat["name"], chat["owner"]) == ("VIP客户群", "zhangwei")
    assert chat["admin_list"] == [{"userid": "lina"}]
    member = chat["member_list"][2]
    assert {"userid", "type", "join_time", "join_scene", "invitor", "name"} <= set(member)
    assert (member["type"], member["name"]) == (2, "刘洋")
    without = await sandbox.post(f"{API}/get", {"chat_id": VIP})
    assert "name" not in without["group_chat"]["member_list"][0]
    assert (await sandbox.post(f"{API}/get", {"chat_id": "wrNOPE"}))["errcode"] == 40050
    assert (await sandbox.post(f"{API}/get", {}))["errcode"] == 40058


async def test_join_and_quit_emit_member_changes(sandbox: Sandbox) -> None:
    before = (await sandbox.post(f"{API}/get", {"chat_id": VIP}))["group_chat"]
    joined = await sandbox.control(
        "POST", f"groups/{VIP}/join", {"members": ["wmNEW1", "wmDEMOzhaomin0002"], "scene": 3}
    )
    assert joined["member_count"] == len(before["member_list"]) + 2
    await sandbox.control("POST", f"groups/{VIP}/quit", {"members": ["wmNEW1"], "scene": 1})
    add, remove = await sandbox.settled()
    assert add["event"] == remove["event"] == "change_external_chat/update"
    assert add["fields"]["UpdateDetail"] == "add_member"
    assert add["fields"]["JoinScene"] == 3
    assert add["fields"]["MemChangeCnt"] == 2
    assert add["fields"]["MemChangeList"] == ["wmNEW1", "wmDEMOzhaomin0002"]
    assert add["fields"]["ChatId"] == VIP
    assert remove["fields"]["UpdateDetail"] == "del_member"
    assert remove["fields"]["QuitScene"] == 1
    assert remove["fields"]["MemChangeList"] == ["wmNEW1"]
    after = (await sandbox.post(f"{API}/get", {"chat_id": VIP}))["group_chat"]
    members = {m["userid"]: m for m in after["member_list"]}
    assert "wmNEW1" not in members
    assert members["wmDEMOzhaomin0002"]["join_scene"] == 3
    assert int(after["member_version"]) == int(before["member_version"]) + 2


async def test_join_and_quit_refusals(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"groups/{VIP}/join", {"members": ["zhangwei"]}, 409)
    await sandbox.control("POST", f"groups/{VIP}/join", {"members": ["wmX"], "scene": 2}, 400)
    await sandbox.control("POST", f"groups/{VIP}/quit", {"members": ["wmX"]}, 404)
    await sandbox.control("POST", "groups/wrNOPE/join", {"members": ["wmX"]}, 404)
    await sandbox.control("POST", f"groups/{VIP}/join", {"members": []}, 400)
