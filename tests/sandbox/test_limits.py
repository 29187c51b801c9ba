"""Per-API frequency limits: 45009 once over, blocked 60 s for a per-minute limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.sandbox.config import Limits, SandboxConfig
from tests.support.sandbox import Sandbox, SandboxFactory

API = "externalcontact/get_follow_user_list"


async def limited(make_sandbox: SandboxFactory, config: SandboxConfig) -> Sandbox:
    return await make_sandbox(replace(config, limits=Limits(api_per_minute=3, api_per_hour=5)))


async def test_per_minute_limit_answers_45009_and_blocks_60_seconds(
    make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    sandbox = await limited(make_sandbox, sandbox_config)
    token = await sandbox.token()
    answers = [await sandbox.get(API, token=token) for _ in range(4)]
    assert [a["errcode"] for a in answers] == [0, 0, 0, 45009]
    assert "freq" in answers[3]["errmsg"]
    other = await sandbox.get("externalcontact/list", token=token, userid="lina")
    assert other["errcode"] == 0  # per API
    sandbox.clock.advance(timedelta(seconds=59))
    assert (await sandbox.get(API, token=token))["errcode"] == 45009
    sandbox.clock.advance(timedelta(seconds=1))
    assert (await sandbox.get(API, token=token))["errcode"] == 0


async def test_per_hour_limit(make_sandbox: SandboxFactory, sandbox_config: SandboxConfig) -> None:
    sandbox = await limited(make_sandbox, sandbox_config)
    token = await sandbox.token()
    codes = []
    for _ in range(3):
        codes += [(await sandbox.get(API, token=token))["errcode"] for _ in range(2)]
        sandbox.clock.advance(timedelta(seconds=60))
    assert codes == [0, 0, 0, 0, 0, 45009]
    sandbox.clock.advance(timedelta(minutes=58))
    assert (await sandbox.get(API, token=token))["errcode"] == 45009
    sandbox.clock.advance(timedelta(minutes=2))
    assert (await sandbox.get(API, token=token))["errcode"] == 0


async def test_message_send_does_not_count_toward_the_api_limit(
    make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    sandbox = await limited(make_sandbox, sandbox_config)
    token = await sandbox.token()
    agent = sandbox.config.apps["default"].agent_id
    body = {
        "touser": "lina|zhangwei|wangfang|manager",
        "msgtype": "text",
        "agentid": agent,
        "text": {"content": "hi"},
    }
    codes = [(await sandbox.post("message/send", body, token))["errcode"] for _ in range(5)]
    assert codes == [0] * 5
