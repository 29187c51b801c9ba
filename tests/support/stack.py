"""The whole stack, one for every test that needs it: a demo sandbox, siyu (create_app)
pointed at it and back, one ManualClock and the real Redis. Calls travel over real HTTP both
ways. Concerns' test packages extend ``Stack`` with their own helpers.

Bulk data goes into the sandbox's World through its Python API before it starts (``seed``):
the sandbox has no route that adds thousands of customers at once, and that many HTTP adds
would test intake, not what the test is about. Everything siyu does still goes through
WeCom's HTTP API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestClient, TestServer
from redis.asyncio import Redis

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.live import RUNTIME
from bot.sandbox.config import Limits, SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.sandbox.world import WORLD, World
from config.settings import Settings
from tests.support.sandbox import Sandbox
from tests.support.settings import siyu_settings_for
from tests.support.wecom import eventually

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application | BaseTestServer], Awaitable[Client]]
Seeder = Callable[[World], None]
S = TypeVar("S", bound="Stack")


class PatientServer(TestServer):
    """A test server that finishes a request whose client hung up, as WeCom (and ``siyu
    sandbox``, on web.run_app) do: aiohttp's TestServer cancels such handlers instead."""

    async def _make_runner(self, **kwargs: Any) -> web.BaseRunner:
        kwargs["handler_cancellation"] = False
        return await super()._make_runner(**kwargs)


@dataclass
class Stack:
    """Sandbox and siyu, wired to each other."""

    sandbox: Sandbox
    siyu: Client
    settings: Settings
    clock: ManualClock
    redis: Redis
    world: World

    @property
    def deps(self) -> Deps:
        """siyu's own handler dependencies (its WeCom client, Redis, clock, components)."""
        return self.siyu.app[RUNTIME].deps

    async def drained(self, timeout: float = 30.0) -> None:
        """Every callback emitted so far was delivered, and every queued event (callbacks,
        task steps, deferred ones) was handled."""
        await self.sandbox.settled()

        async def handled() -> bool:
            stats = await self.siyu.app[RUNTIME].queue.stats()
            return stats.length == 0 and stats.pending == 0 and stats.delayed == 0

        await eventually(handled, timeout)

    def metric(self, name: str, **labels: str) -> float:
        """A sample of siyu's /metrics (0 when absent)."""
        return self.siyu.app[RUNTIME].metrics.registry.get_sample_value(name, labels) or 0.0

    async def calls(self, api: str) -> list[dict[str, Any]]:
        """The sandbox's outbox entries of one API."""
        return [entry for entry in await self.sandbox.outbox(api=api) if entry["api"] == api]

    async def cards_to(self, userid: str) -> list[dict[str, Any]]:
        """The messages (cards, text, markdown) siyu sent ``userid`` successfully."""
        return [
            c["body"]
            for c in await self.calls("message/send")
            if userid in str(c["body"]["touser"]).split("|") and c["response"]["errcode"] == 0
        ]


async def start_stack(
    kind: type[S],
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis_client: Redis,
    *,
    seed: Seeder | None = None,
    limits: Limits | None = None,
    **sections: Any,
) -> S:
    """A demo sandbox (plus ``seed``) and siyu pointed at each other; ``sections`` override
    siyu's settings (the queue polls fast by default)."""
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    if limits is not None:
        config = replace(config, limits=limits)
    app = create_sandbox_app(config, clock)
    if seed is not None:
        seed(app[WORLD])
    sandbox = Sandbox(await aiohttp_client(PatientServer(app)), config, clock)
    overrides: dict[str, Any] = {
        "queue": {"block_ms": 20, "janitor_interval_seconds": 0.05},
        **sections,
    }
    settings = siyu_settings_for(
        config, str(sandbox.http.make_url("/cgi-bin")), redis_url, **overrides
    )
    siyu = await aiohttp_client(create_app(settings, clock=clock))
    await sandbox.control(
        "POST", "callback_url", {"app": "default", "url": str(siyu.make_url("/wecom/callback"))}
    )
    return kind(sandbox, siyu, settings, clock, redis_client, app[WORLD])
