"""A customer adds a staff member; the welcome code works once, within 20 s (doc 92599)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.sandbox import Sandbox

WELCOME = "externalcontact/send_welcome_msg"


async def add(sandbox: Sandbox, customer: str = "wmNEW0001", staff: str = "zhangwei") -> Any:
    return await sandbox.control(
        "POST", f"customers/{customer}/add", {"staff": staff, "state": "ch_poster_a"}
    )


async def test_add_emits_add_external_contact_with_a_welcome_code(sandbox: Sandbox) -> None:
    done = await add(sandbox)
    assert done["welcome_code"]
    assert done["customer"]["external_userid"] == "wmNEW0001"
    [delivery] = await sandbox.settled()
    fields = delivery["fields"]
    assert delivery["event"] == "change_external_contact/add_external_contact"
    assert fields["FromUserName"] == "sys"
    assert fields["UserID"] == "zhangwei"
    assert fields["ExternalUserID"] == "wmNEW0001"
    assert fields["State"] == "ch_poster_a"
    assert fields["WelcomeCode"] == done["welcome_code"]
    assert "AgentID" not in fields
    state = await sandbox.control("GET", "state")
    assert "wmNEW0001" in state["customers"]
    contact = await sandbox.get("externalcontact/get", external_userid="wmNEW0001")
    assert contact["follow_user"][0]["state"] == "ch_poster_a"


async def test_welcome_code_works_once(sandbox: Sandbox) -> None:
    code = (await add(sandbox))["welcome_code"]
    link = {"msgtype": "link", "link": {"title": "价目表", "url": "https://example.com"}}
    body = {"welcome_code": code, "text": {"content": "你好，欢迎！"}, "attachments": [link]}
    first = await sandbox.post(WELCOME, body)
    assert first == {"errcode": 0, "errmsg": "ok"}
    second = await sandbox.post(WELCOME, body)
    assert second["errcode"] == 41051
    sent = await sandbox.outbox(api=WELCOME)
    assert [e["response"]["errcode"] for e in sent] == [0, 41051]
    assert sent[0]["body"]["welcome_code"] == code


async def test_welcome_code_expires_after_20_seconds(sandbox: Sandbox) -> None:
    code = (await add(sandbox))["welcome_code"]
    sandbox.clock.advance(timedelta(seconds=21))
    answer = await sandbox.post(WELCOME, {"welcome_code": code, "text": {"content": "hi"}})
    assert answer["errcode"] == 41051


async def test_welcome_code_within_20_seconds(sandbox: Sandbox) -> None:
    code = (await add(sandbox))["welcome_code"]
    sandbox.clock.advance(timedelta(seconds=20))
    answer = await sandbox.post(WELCOME, {"welcome_code": code, "text": {"content": "hi"}})
    assert answer["errcode"] == 0


async def test_unknown_welcome_code_is_41051(sandbox: Sandbox) -> None:
    answer = await sandbox.post(WELCOME, {"welcome_code": "WCnope", "text": {"content": "hi"}})
    assert answer["errcode"] == 41051


LINK = {"msgtype": "link", "link": {"title": "t", "url": "https://example.com"}}


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"text": {"content": "hi"}}, 40058),
        ({"welcome_code": "X"}, 40058),
        ({"welcome_code": "X", "text": {"content": "字" * 1334}}, 45002),
        ({"welcome_code": "X", "attachments": [LINK] * 10}, 40058),
        ({"welcome_code": "X", "attachments": [{"msgtype": "gif", "gif": {}}]}, 40058),
        (
            {"welcome_code": "X", "attachments": [{"msgtype": "link", "link": {"title": "t"}}]},
            40058,
        ),
        ({"welcome_code": "X", "attachments": [{"msgtype": "image", "image": {}}]}, 40058),
    ],
)
async def test_content_is_validated_before_the_code_is_spent(
    sandbox: Sandbox, body: dict[str, Any], errcode: int
) -> None:
    code = (await add(sandbox))["welcome_code"]
    if "welcome_code" in body:
        body = {**body, "welcome_code": code}
    assert (await sandbox.post(WELCOME, body))["errcode"] == errcode
    ok = await sandbox.post(WELCOME, {"welcome_code": code, "attachments": [LINK] * 9})
    assert ok["errcode"] == 0


async def test_add_refuses_unknown_staff_and_existing_contacts(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "customers/wmX/add", {"staff": "nobody"}, expect=404)
    await sandbox.control(
        "POST", "customers/wmDEMOliuyang0001/add", {"staff": "zhangwei"}, expect=409
    )
    await sandbox.control("POST", "customers/wmX/add", {}, expect=400)
    await sandbox.control("POST", "customers/wmX/add", {"staff": "lina", "state": "s" * 31}, 400)


async def test_existing_customer_adding_another_staff_member(sandbox: Sandbox) -> None:
    done = await add(sandbox, "wmDEMOliuyang0001", "lina")
    assert done["customer"]["name"] == "刘洋"
    contact = await sandbox.get("externalcontact/get", external_userid="wmDEMOliuyang0001")
    assert [f["userid"] for f in contact["follow_user"]] == ["zhangwei", "lina"]


async def test_group_welcome_templates(sandbox: Sandbox) -> None:
    api = "externalcontact/group_welcome_template"
    added = await sandbox.post(f"{api}/add", {"text": {"content": "欢迎%NICKNAME%"}})
    template_id = added["template_id"]
    assert template_id
    edited = await sandbox.post(
        f"{api}/edit", {"template_id": template_id, "image": {"pic_url": "https://x/y.png"}}
    )
    assert edited["errcode"] == 0
    got = await sandbox.post(f"{api}/get", {"template_id": template_id})
    assert got["text"] == {"content": "欢迎%NICKNAME%"}
    assert got["image"] == {"pic_url": "https://x/y.png"}
    assert (await sandbox.post(f"{api}/del", {"template_id": template_id}))["errcode"] == 0
    assert (await sandbox.post(f"{api}/get", {"template_id": template_id}))["errcode"] == 40058
    assert (await sandbox.post(f"{api}/add", {}))["errcode"] == 40058
    too_long = await sandbox.post(f"{api}/add", {"text": {"content": "a" * 3001}})
    assert too_long["errcode"] == 45002
