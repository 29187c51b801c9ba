"""Bodies that used to escape as 503 with a traceback, answered 400 through the real gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.store import keys
from config.settings import Settings
from tests.support.wecom import signed

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, settings: Settings, clock: ManualClock
) -> TestClient[web.Request, web.Application]:
    """A gateway-only siyu (nothing consumes the stream, so what was queued stays visible)."""
    return await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))


@pytest.mark.parametrize(
    ("plaintext", "body"),
    [
        ("<a>" * 3000 + "</a>" * 3000, None),  # RecursionError while converting the message
        ("<xml/>", b'<?xml version="1.0" encoding="no-such-codec"?><xml/>'),  # LookupError
    ],
    ids=["message-3000-levels-deep", "body-in-an-unknown-encoding"],
)
async def test_hostile_xml_is_400_not_503(
    client: TestClient[web.Request, web.Application],
    settings: Settings,
    redis: Redis,
    plaintext: str,
    body: bytes | None,
) -> None:
    callback = signed(settings, plaintext)
    response = await client.post(
        "/wecom/callback", params=callback.query, data=body or callback.body
    )
    assert response.status == 400
    assert await redis.xlen(keys.events(settings.wecom.corp_id)) == 0
    metrics = await (await client.get("/metrics")).text()
    assert 'siyu_callbacks_total{app="default",result="malformed"} 1.0' in metrics
