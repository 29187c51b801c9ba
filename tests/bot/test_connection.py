"""The Redis client: more concurrent callers than connections wait instead of failing."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.store.connection import MAX_CONNECTIONS
from config.settings import Settings


async def test_callers_beyond_the_pool_wait_for_a_connection(
    redis: Redis, settings: Settings
) -> None:
    key = f"siyu:{{{settings.wecom.corp_id}}}:test:pool"
    callers = MAX_CONNECTIONS + 40
    answers = await asyncio.gather(*(redis.blpop([key], timeout=0.3) for _ in range(callers)))
    assert answers == [None] * callers, "every caller got its (empty) answer, none an error"
