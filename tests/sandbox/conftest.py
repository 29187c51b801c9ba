"""Fixtures of the sandbox tests: a demo-seeded sandbox on a ManualClock, over real HTTP."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from tests.support.sandbox import ClientFactory, Sandbox, SandboxFactory


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """A demo corp with random credentials; retries without pauses so tests stay fast."""
    config = SandboxConfig.generate(seed="demo")
    return _fast(config)


def _fast(config: SandboxConfig) -> SandboxConfig:
    return replace(config, callback_retry_delay_seconds=0.0, callback_timeout_seconds=2.0)


@pytest.fixture
def make_sandbox(aiohttp_client: ClientFactory, clock: ManualClock) -> SandboxFactory:
    """Start a sandbox with a given config (default: the demo corp)."""

    async def start(config: SandboxConfig | None) -> Sandbox:
        chosen = config or _fast(SandboxConfig.generate(seed="demo"))
        http = await aiohttp_client(create_sandbox_app(chosen, clock))
        return Sandbox(http, chosen, clock)

    return start


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory, sandbox_config: SandboxConfig) -> Sandbox:
    """The demo sandbox."""
    return await make_sandbox(sandbox_config)
