"""The stack for group-task tests: the shared one (tests/support/stack.py) with tasks'
helpers; bulk customers are seeded into the sandbox's World before it starts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.sandbox.config import Limits
from bot.sandbox.records import Customer, Follow, Tag
from bot.sandbox.world import World
from handlers.tasks import jobs, service
from handlers.tasks.model import TaskSpec
from tests.support import stack as shared
from tests.support.stack import ClientFactory, Seeder


class Stack(shared.Stack):
    """Sandbox and siyu, with group tasks' helpers."""

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
    overrides: dict[str, Any] = {
        "wecom": {"limits": {"blocked_retry_seconds": 0.2}},
        **sections,
        # The tests drive the periodic work themselves (Stack.tick): no background tick.
        "tasks": {"summary_to": ["manager"], "tick_seconds": 0, **sections.get("tasks", {})},
    }
    return await shared.start_stack(
        Stack, aiohttp_client, clock, redis_url, redis, seed=seed, limits=limits, **overrides
    )
