"""End to end through the sandbox: an event whose WeCom call hits 45009 is retried, not lost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.dispatch import Router
from bot.events import TextMessage
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from tests.support.sandbox import Sandbox
from tests.support.settings import siyu_settings_for
from tests.support.wecom import eventually

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


def echo_router() -> Router:
    """Answers every staff message with an app message (the WeCom call under test)."""
    router = Router("echo")

    @router.on(TextMessage)
    async def echo(event: TextMessage, deps: Deps) -> None:
        await deps.api().messages.send_text([event.from_user], f"收到：{event.content}")

    return router


async def test_45009_defers_the_event_and_the_send_happens_later(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str
) -> None:
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    sandbox = Sandbox(await aiohttp_client(create_sandbox_app(config, clock)), config, clock)
    settings = siyu_settings_for(
        config,
        str(sandbox.http.make_url("/cgi-bin")),
        redis_url,
        wecom={"limits": {"blocked_retry_seconds": 0.2}},
        queue={"block_ms": 20, "janitor_interval_seconds": 0.05, "max_deliveries": 1},
    )
    siyu = await aiohttp_client(create_app(settings, clock=clock, router=echo_router()))
    callback_url = str(siyu.make_url("/wecom/callback"))
    await sandbox.control("POST", "callback_url", {"app": "default", "url": callback_url})
    await sandbox.control("POST", "faults", {"api": "message/send", "errcode": 45009, "count": 1})
    staff = (await sandbox.control("GET", "state"))["staff"][0]

    await sandbox.control("POST", f"staff/{staff}/message", {"text": "我要报价"})

    async def sent() -> bool:
        calls = await sandbox.outbox(api="message/send")
        return [c["response"]["errcode"] for c in calls] == [45009, 0]

    await eventually(sent)
    [_, delivered] = await sandbox.outbox(api="message/send")
    assert delivered["body"]["text"]["content"] == "收到：我要报价"
    metrics = await (await siyu.get("/metrics")).text()
    assert 'siyu_events_handled_total{kind="text",outcome="deferred"} 1.0' in metrics
    assert 'siyu_events_handled_total{kind="text",outcome="handled"} 1.0' in metrics
    assert "dead_lettered" not in metrics
