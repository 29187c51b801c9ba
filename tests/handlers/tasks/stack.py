"""The whole stack for group-task tests: a sandbox (optionally seeded in bulk), siyu pointed at
it and back, one ManualClock and the real Redis. Calls travel over real HTTP both ways.

Bulk customers are put into the sandbox's World through its Python API before it starts:
the sandbox has no route that adds thousands of customers at once, and 25,000 HTTP adds
(each emitting a callback) would test the intake path, not group tasks. It is set-up, the
same as the demo seed; everything siyu does still goes through WeCom's HTTP API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestClient, TestServer
from redis.asyncio import Redis

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.live import RUNTIME
from bot.sandbox.config import Limits, SandboxConfig
from bot.sandbox.records import Customer, Follow, Tag
from bot.sandbox.server import create_sandbox_app
from bot.sandbox.world import WORLD, World
from config.settings import Settings
from handlers.tasks import jobs, service
from handlers.tasks.model import TaskSpec
from tests.bot.wecom.conftest import siyu_settings_for
from tests.sandbox.helpers import Sandbox
from tests.support.wecom import eventually

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application | BaseTestServer], Awaitable[Client]]
Seeder = Callable[[World], None]


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
        """siyu's own handler dependencies (its WeCom client, Redis, clock, ledger)."""
        return self.siyu.app[RUNTIME].deps

    async def drained(self, timeout: float = 30.0) -> None:
        """Every queued event (callbacks, task steps, deferred ones) was handled."""
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

    async def create(self, spec: TaskSpec) -> int:
        """Create a task as the admin API does (stored, its first step queued)."""
        task_id, _ = await service.create(self.deps, spec, created_by="test")
        return task_id

    async def state(self, task_id: int) -> dict[str, Any]:
        """The task as ``siyu tasks show --json`` prints it."""
        found = await service.state(self.deps, task_id)
        assert found is not None
        return found

    async def confirm(self, msgid: str, staff: str) -> dict[str, Any]:
        """A staff member confirms a group send in their client."""
        answer: dict[str, Any] = await self.sandbox.control(
            "POST", f"groupmsg/{msgid}/confirm", {"staff": staff}
        )
        return answer

    async def tick(self) -> dict[int, str]:
        """The periodic job, at the clock's time (what the scheduler will call)."""
        return await jobs.tick(self.deps, self.clock.now())

    async def cards_to(self, userid: str) -> list[dict[str, Any]]:
        """The template cards and markdown messages siyu sent ``userid``."""
        return [
            c["body"]
            for c in await self.calls("message/send")
            if userid in str(c["body"]["touser"]).split("|") and c["response"]["errcode"] == 0
        ]


def seed_customers(
    world: World,
    staff: str,
    ids: Iterable[str],
    tag_ids: tuple[str, ...],
    createtime: datetime,
    state: str = "",
) -> list[str]:
    """Customers of ``staff`` with these tags, put straight into the sandbox corp."""
    corp, added = world.corp, []
    when = int(createtime.timestamp())
    for tag_id in tag_ids:
        corp.tags.setdefault(tag_id, Tag(tag_id, tag_id, "etDEMOgroupintent", when))
    for external_userid in ids:
        corp.customers.setdefault(external_userid, Customer(external_userid, external_userid[-6:]))
        corp.put_follow(Follow(staff, external_userid, when, state=state, tag_ids=tag_ids))
        added.append(external_userid)
    return added


async def start_stack(
    aiohttp_client: ClientFactory,
    clock: ManualClock,
    redis_url: str,
    redis: Redis,
    *,
    seed: Seeder | None = None,
    limits: Limits | None = None,
    **sections: Any,
) -> Stack:
    """A demo sandbox (plus ``seed``) and siyu pointed at each other."""
    config = replace(SandboxConfig.generate(seed="demo"), callback_retry_delay_seconds=0.0)
    if limits is not None:
        config = replace(config, limits=limits)
    app = create_sandbox_app(config, clock)
    if seed is not None:
        seed(app[WORLD])
    sandbox = Sandbox(await aiohttp_client(PatientServer(app)), config, clock)
    overrides: dict[str, Any] = {
        "queue": {"block_ms": 20, "janitor_interval_seconds": 0.05},
        "wecom": {"limits": {"blocked_retry_seconds": 0.2}},
        **sections,
        # The tests drive the periodic work themselves (Stack.tick): no background tick.
        "tasks": {"summary_to": ["manager"], "tick_seconds": 0, **sections.get("tasks", {})},
    }
    settings = siyu_settings_for(
        config, str(sandbox.http.make_url("/cgi-bin")), redis_url, **overrides
    )
    siyu = await aiohttp_client(create_app(settings, clock=clock))
    await sandbox.control(
        "POST", "callback_url", {"app": "default", "url": str(siyu.make_url("/wecom/callback"))}
    )
    return Stack(sandbox, siyu, settings, clock, redis, app[WORLD])
