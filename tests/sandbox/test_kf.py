"""微信客服: a customer writes, kf_msg_or_event is sent, sync_msg pages with a cursor;
replies within 48 h; send_msg_on_event with a 20 s, single-use code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.sandbox import Sandbox

KF = "wkDEMOkf0001"
CUSTOMER = "wmKFcustomer01"


async def write(sandbox: Sandbox, text: str = "请问还有货吗") -> Any:
    return await sandbox.control("POST", f"kf/{KF}/customers/{CUSTOMER}/message", {"text": text})


async def test_message_is_announced_then_synced_once(sandbox: Sandbox) -> None:
    done = await write(sandbox)
    [delivery] = await sandbox.settled()
    fields = delivery["fields"]
    assert delivery["event"] == "kf_msg_or_event"
    assert (fields["Token"], fields["OpenKfId"]) == (done["token"], KF)
    assert "FromUserName" not in fields
    state = await sandbox.control("GET", "state")
    assert KF in state["kf_accounts"]
    first = await sandbox.post("kf/sync_msg", {"token": fields["Token"], "open_kfid": KF})
    assert first["errcode"] == 0
    assert first["has_more"] == 0
    [message] = first["msg_list"]
    assert {"msgid", "open_kfid", "external_userid", "send_time", "origin", "msgtype"} <= set(
        message
    )
    assert (message["origin"], message["msgtype"], message["text"]) == (
        3,
        "text",
        {"content": "请问还有货吗"},
    )
    assert message["external_userid"] == CUSTOMER
    second = await sandbox.post("kf/sync_msg", {"cursor": first["next_cursor"], "open_kfid": KF})
    assert second["msg_list"] == []
    assert second["has_more"] == 0
    assert second["next_cursor"] == first["next_cursor"]


async def test_sync_pages_with_has_more(sandbox: Sandbox) -> None:
    for index in range(3):
        await write(sandbox, f"m{index}")
    page = await sandbox.post("kf/sync_msg", {"limit": 2})
    assert [m["text"]["content"] for m in page["msg_list"]] == ["m0", "m1"]
    assert page["has_more"] == 1
    rest = await sandbox.post("kf/sync_msg", {"limit": 2, "cursor": page["next_cursor"]})
    assert [m["text"]["content"] for m in rest["msg_list"]] == ["m2"]
    assert rest["has_more"] == 0


async def test_sync_covers_three_days_and_checks_its_token(sandbox: Sandbox) -> None:
    token = (await write(sandbox))["token"]
    sandbox.clock.advance(timedelta(minutes=11))
    assert (await sandbox.post("kf/sync_msg", {"token": token}))["errcode"] == 40058
    sandbox.clock.advance(timedelta(days=3))
    assert (await sandbox.post("kf/sync_msg", {}))["msg_list"] == []
    assert (await sandbox.post("kf/sync_msg", {"open_kfid": "wkNOPE"}))["errcode"] == 95004
    assert (await sandbox.post("kf/sync_msg", {"cursor": "c" * 65}))["errcode"] == 40058


def reply(text: str = "有的", **more: Any) -> dict[str, Any]:
    return {
        "touser": CUSTOMER,
        "open_kfid": KF,
        "msgtype": "text",
        "text": {"content": text},
        **more,
    }


async def test_send_msg_within_48_hours(sandbox: Sandbox) -> None:
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 40096  # not yet a customer
    await write(sandbox)
    sent = await sandbox.post("kf/send_msg", reply(msgid="reply_001"))
    assert sent == {"errcode": 0, "errmsg": "ok", "msgid": "reply_001"}
    assert (await sandbox.post("kf/send_msg", reply(msgid="reply_001")))["errcode"] == 40058
    sandbox.clock.advance(timedelta(hours=48, seconds=1))
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 95018


async def test_send_msg_reply_count_per_customer_message(sandbox: Sandbox) -> None:
    await write(sandbox)
    codes = [(await sandbox.post("kf/send_msg", reply(f"r{i}")))["errcode"] for i in range(6)]
    assert codes == [0, 0, 0, 0, 0, 95018]
    await write(sandbox, "还在吗")
    assert (await sandbox.post("kf/send_msg", reply()))["errcode"] == 0


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"open_kfid": "wkNOPE"}, 95004),
        ({"touser": "wmNOPE"}, 40096),
        ({"msgid": "not valid!"}, 40058),
        ({"msgtype": "sticker"}, 40058),
        ({"text": None}, 40058),
    ],
)
async def test_send_msg_errors(sandbox: Sandbox, change: dict[str, Any], errcode: int) -> None:
    await write(sandbox)
    body = {k: v for k, v in {**reply(), **change}.items() if v is not None}
    assert (await sandbox.post("kf/send_msg", body))["errcode"] == errcode


async def test_send_msg_on_event_once_within_20_seconds(sandbox: Sandbox) -> None:
    entered = await sandbox.control(
        "POST", f"kf/{KF}/customers/{CUSTOMER}/enter", {"scene": "qr_shop"}
    )
    synced = await sandbox.post("kf/sync_msg", {"token": entered["token"]})
    [event] = synced["msg_list"]
    assert (event["origin"], event["msgtype"]) == (4, "event")
    assert event["event"]["event_type"] == "enter_session"
    assert event["event"]["welcome_code"] == entered["welcome_code"]
    body = {"code": entered["welcome_code"], "msgtype": "text", "text": {"content": "您好"}}
    first = await sandbox.post("kf/send_msg_on_event", body)
    assert first["errcode"] == 0
    assert first["msgid"]
    assert (await sandbox.post("kf/send_msg_on_event", body))["errcode"] == 40058
    late = await sandbox.control("POST", f"kf/{KF}/customers/{CUSTOMER}/enter", {})
    sandbox.clock.advance(timedelta(seconds=21))
    expired = {**body, "code": late["welcome_code"]}
    assert (await sandbox.post("kf/send_msg_on_event", expired))["errcode"] == 40058


async def test_unknown_kf_account_is_404_for_actors(sandbox: Sandbox) -> None:
    await sandbox.control("POST", f"kf/wkNOPE/customers/{CUSTOMER}/message", {"text": "x"}, 404)
