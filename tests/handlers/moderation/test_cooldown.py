"""Prompt cooldowns on siyu's clock; the message holding a mark may take it again."""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from handlers.moderation.cooldown import Cooldowns
from tests.conftest import NOW


async def test_one_prompt_per_member_customer_and_intent_per_period(redis: Redis) -> None:
    cooldowns = Cooldowns(redis, "wwcooldown1")

    async def take(message: str, minutes: float, intent: str = "price") -> bool:
        return await cooldowns.take(
            "zhangwei", "wmC", intent, message, now=NOW + timedelta(minutes=minutes), seconds=1800
        )

    assert await take("kf:1", 0)
    assert not await take("kf:2", 10)
    assert await take("kf:1", 10), "a redelivery of the message that took it"
    assert await take("kf:3", 10, intent="purchase")
    assert await take("kf:4", 31)
    assert not await take("kf:5", 40)


async def test_no_cooldown_when_it_is_zero(redis: Redis) -> None:
    cooldowns = Cooldowns(redis, "wwcooldown2")
    for n in range(3):
        assert await cooldowns.take("u", "c", "price", f"m{n}", now=NOW, seconds=0)
