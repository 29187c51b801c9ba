"""The stack for intake tests: the shared one (tests/support/stack.py) with intake's helpers."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.clock import ManualClock
from handlers.intake.channel_store import DayStats
from handlers.intake.live import day_of, local_time, rules_store
from handlers.intake.live_codes import stats_of
from handlers.intake.rules import IntakeRules, load_rules_file
from tests.support import stack as shared
from tests.support.stack import ClientFactory


class Stack(shared.Stack):
    """Sandbox and siyu, with intake's helpers."""

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
    return await shared.start_stack(Stack, aiohttp_client, clock, redis_url, redis, **sections)
