"""A sandbox on the system clock and siyu settings aimed at it, for tests of real processes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from config.settings import Settings
from tests.support.settings import siyu_settings_for

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


async def sandbox_and_settings(
    aiohttp_client: ClientFactory, redis_url: str, **sections: Any
) -> tuple[TestClient[web.Request, web.Application], Settings]:
    """A demo-seeded sandbox (system clock: child processes use real time) and siyu's settings."""
    config = SandboxConfig.generate(seed="demo")
    sandbox = await aiohttp_client(create_sandbox_app(config))
    settings = siyu_settings_for(config, str(sandbox.make_url("/cgi-bin")), redis_url, **sections)
    return sandbox, settings
