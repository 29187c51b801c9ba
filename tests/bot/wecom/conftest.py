"""A sandbox over real HTTP and siyu settings pointing at it, sharing one ManualClock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.wecom.api import WeComAPI, open_wecom
from config.settings import Settings
from tests.support.sandbox import Sandbox
from tests.support.settings import siyu_settings_for

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@dataclass
class Harness:
    """The sandbox, siyu settings aimed at it, and the API client under test."""

    sandbox: Sandbox
    settings: Settings
    api: WeComAPI


@pytest.fixture
def wecom_overrides() -> Mapping[str, Any]:
    """Extra [wecom] settings a test module wants (limits, timeouts)."""
    return {}


@pytest.fixture
async def harness(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis: Redis,
    wecom_overrides: Mapping[str, Any],
) -> AsyncIterator[Harness]:
    """A demo-seeded sandbox and the client of its default app."""
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    http = await aiohttp_client(create_sandbox_app(config, clock))
    api_base = str(http.make_url("/cgi-bin"))
    settings = siyu_settings_for(config, api_base, redis_url, wecom=dict(wecom_overrides))
    async with open_wecom(settings, redis, clock) as apis:
        yield Harness(Sandbox(http, config, clock), settings, apis["default"])
