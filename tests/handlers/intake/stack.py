"""The whole stack for intake tests: a demo sandbox, siyu (create_app) pointed at it and
back, one ManualClock and the real Redis. Callbacks travel over real HTTP both ways.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.live import RUNTIME
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from config.settings import Settings
from handlers.intake.channel_store import DayStats
from handlers.intake.live import day_of, local_time, rules_store
from handlers.intake.live_codes import stats_of
from handlers.intake.rules import IntakeRules, load_rules_file
from tests.bot.wecom.conftest import siyu_settings_for
from tests.sandbox.helpers import Sandbox
from tests.support.wecom import eventually

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]


@dataclass
class Stack:
    """Sandbox and siyu, wired to each other."""

    sandbox: Sandbox
    siyu: Client
    settings: Settings
    clock: ManualClock
    redis: Redis

    @property
    def deps(self) -> Deps:
        """siyu's own handler dependencies (its WeCom client, Redis, clock, metrics)."""
        return self.siyu.app[RUNTIME].deps

    async def drained(self, timeout: float = 10.0) -> None:
        """Every callback emitted so far was delivered, queued and handled."""
        await self.sandbox.settled()

        async def handled() -> bool:
            answer = await (await self.siyu.get("/readyz")).json()
            return bool(answer.get("stream_length") == 0 and answer.get("pending") == 0)

        await eventually(handled, timeout)

    async def metric(self, name: str, **labels: str) -> float:
        """A sample of siyu's /metrics (0 when absent)."""
        registry = self.siyu.app[RUNTIME].metrics.registry
        return registry.get_sample_value(name, labels) or 0.0

    async def calls(self, api: str) -> list[dict[str, Any]]:
        """The sandbox's outbox entries of one API."""
        return [entry for entry in await self.sandbox.outbox(api=api) if entry["api"] == api]

    async def scan(self, config_id: str, customer: str, **options: Any) -> dict[str, Any]:
        """A customer scans a live code (the sandbox emits the add with the code's state)."""
        answer: dict[str, Any] = await self.sandbox.control(
            "POST", f"contact_ways/{config_id}/scan", {"customer": customer, **options}
        )
        return answer

    async def channel_day(self, channel_id: str) -> DayStats:
        """Today's statistics of a channel (the corp's local day)."""
        return await stats_of(self.deps).day(channel_id, day_of(local_time(self.deps)))

    async def set_rules(self, rules: IntakeRules) -> None:
        """Replace the live intake rules."""
        await rules_store(self.deps).put(rules)


def rules_with(**changes: Any) -> IntakeRules:
    """The default rules file with top-level parts replaced (dicts are validated)."""
    data = load_rules_file().model_dump()
    data.update(changes)
    return IntakeRules.model_validate(data)


async def start_stack(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis: Redis,
    **sections: Any,
) -> Stack:
    """A demo sandbox and siyu pointed at each other; ``sections`` override siyu settings."""
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    sandbox = Sandbox(await aiohttp_client(create_sandbox_app(config, clock)), config, clock)
    overrides: dict[str, Any] = {
        "queue": {"block_ms": 20, "janitor_interval_seconds": 0.05},
        **sections,
    }
    settings = siyu_settings_for(config, str(sandbox.http.make_url("/cgi-bin")), redis_url,
                                 **overrides)  # fmt: skip
    siyu = await aiohttp_client(create_app(settings, clock=clock))
    await sandbox.control(
        "POST", "callback_url", {"app": "default", "url": str(siyu.make_url("/wecom/callback"))}
    )
    return Stack(sandbox, siyu, settings, clock, redis)
