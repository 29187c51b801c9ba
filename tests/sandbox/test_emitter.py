"""The callback emitter: accepted by wechatpy and by siyu's gateway; WeCom's retries;
deliberate duplicates, shuffles and delays."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis
from wechatpy.enterprise import WeChatCrypto

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.store import keys
from config.settings import Settings
from tests.conftest import make_settings
from tests.support.sandbox import Receiver, Sandbox, SandboxFactory
from tests.support.wecom import eventually

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]


async def listen(aiohttp_server: ServerFactory, sandbox: Sandbox, receiver: Receiver) -> None:
    """Start ``receiver`` and point the sandbox's default app at it."""
    server = await aiohttp_server(receiver.app())
    url = str(server.make_url("/hook"))
    await sandbox.control("POST", "callback_url", {"app": "default", "url": url})


def wechatpy_decrypt(config: SandboxConfig, query: dict[str, str], body: bytes) -> str:
    """Open a callback with wechatpy, an implementation independent of siyu's."""
    app = config.apps["default"]
    crypto = WeChatCrypto(app.token, app.encoding_aes_key, config.corp_id)
    plaintext: str = crypto.decrypt_message(
        body.decode(), query["msg_signature"], query["timestamp"], query["nonce"]
    )
    return plaintext


async def received(receiver: Receiver, count: int) -> None:
    async def enough() -> bool:
        return len(receiver.requests) >= count

    await eventually(enough)


async def test_wechatpy_opens_an_app_message(
    aiohttp_server: ServerFactory, sandbox: Sandbox
) -> None:
    receiver = Receiver()
    await listen(aiohttp_server, sandbox, receiver)
    done = await sandbox.control("POST", "staff/zhangwei/message", {"text": "报价单发我"})
    await received(receiver, 1)
    query, body = receiver.requests[0]
    plaintext = wechatpy_decrypt(sandbox.config, query, body)
    assert "<Content><![CDATA[报价单发我]]></Content>" in plaintext
    assert f"<MsgId>{done['msg_id']}</MsgId>" in plaintext
    assert "<FromUserName><![CDATA[zhangwei]]></FromUserName>" in plaintext
    assert b"<AgentID>" in body
    assert f"<ToUserName><![CDATA[{sandbox.config.corp_id}]]>".encode() in body
    assert int(query["timestamp"]) == int(sandbox.clock.now().timestamp())


async def test_wechatpy_opens_a_customer_contact_event(
    aiohttp_server: ServerFactory, sandbox: Sandbox
) -> None:
    receiver = Receiver()
    await listen(aiohttp_server, sandbox, receiver)
    done = await sandbox.control(
        "POST", "customers/wmNEW0001/add", {"staff": "lina", "state": "ch_poster_a"}
    )
    await received(receiver, 1)
    query, body = receiver.requests[0]
    plaintext = wechatpy_decrypt(sandbox.config, query, body)
    assert "<ChangeType><![CDATA[add_external_contact]]></ChangeType>" in plaintext
    assert f"<WelcomeCode><![CDATA[{done['welcome_code']}]]></WelcomeCode>" in plaintext
    assert "<State><![CDATA[ch_poster_a]]></State>" in plaintext
    assert b"<AgentID>" not in body  # customer-contact events carry no AgentID


@pytest.fixture
def siyu_settings(redis_url: str, sandbox_config: SandboxConfig) -> Settings:
    """siyu configured with the sandbox's corp and app credentials."""
    app = sandbox_config.apps["default"]
    return make_settings(
        redis_url,
        wecom={"corp_id": sandbox_config.corp_id},
        apps={
            "default": {
                "agent_id": app.agent_id,
                "token": app.token,
                "encoding_aes_key": app.encoding_aes_key,
            }
        },
    )


async def point_at_siyu(
    aiohttp_server: ServerFactory, sandbox: Sandbox, settings: Settings, clock: ManualClock
) -> None:
    gateway = await aiohttp_server(create_app(settings, role=Role.GATEWAY, clock=clock))
    url = str(gateway.make_url("/wecom/callback/default"))
    await sandbox.control("POST", "callback_url", {"app": "default", "url": url})


async def stream_length(redis: Redis, settings: Settings) -> int:
    return int(await redis.xlen(keys.events(settings.wecom.corp_id)))


async def test_siyu_gateway_accepts_and_queues(
    aiohttp_server: ServerFactory,
    sandbox: Sandbox,
    siyu_settings: Settings,
    clock: ManualClock,
    redis: Redis,
) -> None:
    await point_at_siyu(aiohttp_server, sandbox, siyu_settings, clock)
    await sandbox.control("POST", "customers/wmNEW0002/add", {"staff": "zhangwei"})
    await sandbox.control("POST", "staff/lina/message", {"text": "hello"})
    await sandbox.control("POST", "kf/wkDEMOkf0001/customers/wmNEW0002/message", {"text": "在吗"})
    await sandbox.control(
        "POST", "groups/wrDEMOvip0001/join", {"members": ["wmNEW0002"], "scene": 3}
    )
    deliveries = await sandbox.settled()
    assert [d["status"] for d in deliveries] == [200, 200, 200, 200]
    assert await stream_length(redis, siyu_settings) == 4


async def test_duplicates_are_delivered_and_queued_once(
    aiohttp_server: ServerFactory,
    sandbox: Sandbox,
    siyu_settings: Settings,
    clock: ManualClock,
    redis: Redis,
) -> None:
    await point_at_siyu(aiohttp_server, sandbox, siyu_settings, clock)
    await sandbox.control("POST", "staff/lina/message", {"text": "again", "duplicates": 2})
    deliveries = await sandbox.settled()
    assert [(d["copy"], d["status"]) for d in deliveries] == [(0, 200), (1, 200), (2, 200)]
    assert await stream_length(redis, siyu_settings) == 1


async def test_duplicates_share_the_plaintext_but_not_the_ciphertext(
    aiohttp_server: ServerFactory, sandbox: Sandbox
) -> None:
    receiver = Receiver()
    await listen(aiohttp_server, sandbox, receiver)
    await sandbox.control("POST", "emitter", {"duplicates": 3})
    await sandbox.control("POST", "customers/wmDEMOliuyang0001/delete", {"staff": "zhangwei"})
    await sandbox.settled()
    assert len(receiver.requests) == 4
    plaintexts = {wechatpy_decrypt(sandbox.config, q, b) for q, b in receiver.requests}
    assert len(plaintexts) == 1
    assert len({b for _, b in receiver.requests}) == 4
    assert len({q["nonce"] for q, _ in receiver.requests}) == 4


async def test_500_twice_then_200_is_exactly_three_tries(
    aiohttp_server: ServerFactory, sandbox: Sandbox
) -> None:
    receiver = Receiver(statuses=[500, 500])
    await listen(aiohttp_server, sandbox, receiver)
    await sandbox.control("POST", "staff/zhangwei/message", {"text": "retry me"})
    deliveries = await sandbox.settled()
    assert [(d["attempt"], d["status"]) for d in deliveries] == [(1, 500), (2, 500), (3, 200)]
    assert len(receiver.requests) == 3
    plaintexts = {wechatpy_decrypt(sandbox.config, q, b) for q, b in receiver.requests}
    assert len(plaintexts) == 1  # the same event, freshly encrypted each try
    assert len({b for _, b in receiver.requests}) == 3


async def test_three_failures_and_wecom_gives_up(
    aiohttp_server: ServerFactory, sandbox: Sandbox
) -> None:
    receiver = Receiver(statuses=[503, 403, 500, 500])
    await listen(aiohttp_server, sandbox, receiver)
    await sandbox.control("POST", "staff/zhangwei/message", {"text": "lost"})
    deliveries = await sandbox.settled()
    assert [d["status"] for d in deliveries] == [503, 403, 500]
    assert len(receiver.requests) == 3


async def test_a_slow_answer_is_a_timeout_and_retried(
    aiohttp_server: ServerFactory, make_sandbox: SandboxFactory, sandbox_config: SandboxConfig
) -> None:
    sandbox = await make_sandbox(replace(sandbox_config, callback_timeout_seconds=0.3))
    receiver = Receiver(hold_first_seconds=1.0)
    await listen(aiohttp_server, sandbox, receiver)
    await sandbox.control("POST", "staff/zhangwei/message", {"text": "slow"})
    deliveries = await sandbox.settled()
    assert [(d["status"], d["error"]) for d in deliveries] == [(None, "timeout"), (200, None)]


async def test_a_batch_can_be_shuffled(aiohttp_server: ServerFactory, sandbox: Sandbox) -> None:
    receiver = Receiver()
    await listen(aiohttp_server, sandbox, receiver)
    events: list[dict[str, Any]] = [
        {
            "FromUserName": "lina",
            "MsgType": "text",
            "Content": f"m{i}",
            "MsgId": 1000 + i,
            "AgentID": 1000002,
        }
        for i in range(8)
    ]
    emitted = await sandbox.control(
        "POST", "emit", {"app": "default", "events": events, "shuffle": True}
    )
    await sandbox.settled()
    assert len(emitted["event_ids"]) == 8
    order = [
        wechatpy_decrypt(sandbox.config, q, b).split("<Content><![CDATA[")[1].split("]]>")[0]
        for q, b in receiver.requests
    ]
    assert sorted(order) == [f"m{i}" for i in range(8)]
    assert order != [f"m{i}" for i in range(8)]  # 1 in 40 320 chance of a false failure


async def test_a_delivery_can_be_delayed(aiohttp_server: ServerFactory, sandbox: Sandbox) -> None:
    receiver = Receiver()
    await listen(aiohttp_server, sandbox, receiver)
    started = time.monotonic()
    await sandbox.control("POST", "staff/zhangwei/message", {"text": "later", "delay_ms": 300})
    assert receiver.requests == []
    await received(receiver, 1)
    assert time.monotonic() - started >= 0.3


async def test_without_a_callback_url_the_try_is_logged(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "staff/zhangwei/message", {"text": "nobody listens"})
    deliveries = await sandbox.settled()
    assert [(d["event"], d["error"]) for d in deliveries] == [("text", "no callback url")]
