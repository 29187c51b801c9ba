"""Fixtures of the intake tests: the whole stack (sandbox + siyu) on the session's Redis."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from tests.handlers.intake.stack import Stack, start_stack
from tests.support.stack import ClientFactory


@pytest.fixture
async def stack(
    aiohttp_client: ClientFactory, clock: ManualClock, redis_url: str, redis: Redis
) -> Stack:
    """A demo sandbox and siyu, pointed at each other."""
    return await start_stack(aiohttp_client, clock, redis_url, redis)
