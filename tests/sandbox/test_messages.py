"""message/send and message/update_template_card; cards clicked by staff."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.config import Limits, SandboxConfig
from tests.support.sandbox import Sandbox, SandboxFactory

SEND = "message/send"


def text(sandbox: Sandbox, touser: str, content: str = "提醒：回访刘洋", **more: Any) -> Any:
    agent = sandbox.config.apps["default"].agent_id
    return {
        "touser": touser,
        "msgtype": "text",
        "agentid": agent,
        "text": {"content": content},
        **more,
    }


def card(sandbox: Sandbox, touser: str, task_id: str = "task-1") -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "template_card",
        "agentid": sandbox.config.apps["default"].agent_id,
        "template_card": {
            "card_type": "button_interaction",
            "task_id": task_id,
            "main_title": {"title": "回访提醒"},
            "button_list": [{"text": "完成", "key": "done"}],
        },
    }


async def test_send_shape_and_invalid_users(sandbox: Sandbox) -> None:
    answer = await sandbox.post(
        SEND, text(sandbox, "zhangwei|nobody|lina", toparty="1|7", totag="3")
    )
    assert answer["errcode"] == 0
    assert answer["invaliduser"] == "nobody"
    assert answer["invalidparty"] == "7"
    assert answer["invalidtag"] == "3"
    assert answer["unlicenseduser"] == ""
    assert answer["msgid"]
    assert "response_code" not in answer
    [entry] = await sandbox.outbox(api=SEND)
    assert entry["delivered"] == ["zhangwei", "lina", "wangfang", "manager"]  # party 1: all
    assert entry["dropped"] == []


async def test_all_recipients_invalid_is_81013(sandbox: Sandbox) -> None:
    answer = await sandbox.post(SEND, text(sandbox, "nobody|ghost"))
    assert answer["errcode"] == 81013
    assert answer["errmsg"]


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"msgtype": None}, 40058),
        ({"agentid": None}, 40058),
        ({"agentid": 42}, 40058),
        ({"touser": None}, 40058),
        ({"text": {"content": "字" * 683}}, 45002),
        ({"msgtype": "telegram"}, 40058),
        ({"text": None}, 40058),
    ],
)
async def test_send_errors(sandbox: Sandbox, change: dict[str, Any], errcode: int) -> None:
    body = {k: v for k, v in {**text(sandbox, "lina"), **change}.items() if v is not None}
    assert (await sandbox.post(SEND, body))["errcode"] == errcode


async def test_duplicate_check_suppresses_a_resend(sandbox: Sandbox) -> None:
    body = text(sandbox, "lina", enable_duplicate_check=1, duplicate_check_interval=600)
    first = await sandbox.post(SEND, body)
    again = await sandbox.post(SEND, body)
    assert again["errcode"] == 0
    assert again["msgid"] == first["msgid"]
    entries = await sandbox.outbox(api=SEND)
    assert entries[1]["duplicate_of"] == first["msgid"]
    sandbox.clock.advance(timedelta(seconds=601))
    later = await sandbox.post(SEND, body)
    assert later["msgid"] != first["msgid"]


async def test_per_member_limit_drops_the_excess_silently(
    make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    limits = Limits(member_messages_per_minute=2, member_messages_per_hour=5)
    sandbox = await make_sandbox(replace(sandbox_config, limits=limits))
    answers = [await sandbox.post(SEND, text(sandbox, "lina", f"m{i}")) for i in range(3)]
    assert [a["errcode"] for a in answers] == [0, 0, 0]
    entries = await sandbox.outbox(api=SEND)
    assert [e["dropped"] for e in entries] == [[], [], ["lina"]]
    other = await sandbox.post(SEND, text(sandbox, "lina|zhangwei"))
    assert other["errcode"] == 0
    assert (await sandbox.outbox(api=SEND))[-1]["dropped"] == ["lina"]
    sandbox.clock.advance(timedelta(seconds=60))  # the block of a per-minute limit: 60 s
    await sandbox.post(SEND, text(sandbox, "lina"))
    assert (await sandbox.outbox(api=SEND))[-1]["dropped"] == []


async def test_interactive_card_response_code_updates_once(sandbox: Sandbox) -> None:
    sent = await sandbox.post(SEND, card(sandbox, "zhangwei"))
    code = sent["response_code"]
    assert code
    update = {
        "userids": ["zhangwei"],
        "agentid": sandbox.config.apps["default"].agent_id,
        "response_code": code,
        "button": {"replace_name": "已完成"},
    }
    first = await sandbox.post("message/update_template_card", update)
    assert first == {"errcode": 0, "errmsg": "ok", "invaliduser": []}
    again = await sandbox.post("message/update_template_card", update)
    assert again["errcode"] == 40058


async def test_response_code_expires_after_72_hours(sandbox: Sandbox) -> None:
    code = (await sandbox.post(SEND, card(sandbox, "zhangwei")))["response_code"]
    sandbox.clock.advance(timedelta(hours=72, seconds=1))
    update = {
        "agentid": sandbox.config.apps["default"].agent_id,
        "response_code": code,
        "button": {"replace_name": "已完成"},
    }
    assert (await sandbox.post("message/update_template_card", update))["errcode"] == 40058


async def test_card_click_emits_template_card_event(sandbox: Sandbox) -> None:
    await sandbox.post(SEND, card(sandbox, "lina", "remind-42"))
    clicked = await sandbox.control(
        "POST", "staff/lina/card_click", {"task_id": "remind-42", "event_key": "done"}
    )
    [delivery] = await sandbox.settled()
    fields = delivery["fields"]
    assert delivery["event"] == "template_card_event"
    assert (fields["FromUserName"], fields["TaskId"], fields["EventKey"]) == (
        "lina",
        "remind-42",
        "done",
    )
    assert fields["CardType"] == "button_interaction"
    assert fields["ResponseCode"] == clicked["response_code"]
    assert fields["AgentID"] == sandbox.config.apps["default"].agent_id
    update = {
        "agentid": fields["AgentID"],
        "response_code": clicked["response_code"],
        "button": {"replace_name": "已完成"},
    }
    assert (await sandbox.post("message/update_template_card", update))["errcode"] == 0
    await sandbox.control(
        "POST", "staff/lina/card_click", {"task_id": "nope", "event_key": "done"}, 404
    )
