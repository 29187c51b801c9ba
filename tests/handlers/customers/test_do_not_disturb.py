"""The do-not-disturb list on the real Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from config.settings import Settings
from handlers.customers.do_not_disturb import DoNotDisturb
from tests.conftest import NOW


async def test_mark_check_and_lift(settings: Settings, redis: Redis) -> None:
    dnd = DoNotDisturb(redis, settings.wecom.corp_id)
    assert await dnd.add("wm1", "unsubscribe: 别再给我发广告了", NOW)
    assert not await dnd.add("wm1", "later reason", NOW), "the first reason stays"
    entry = await dnd.get("wm1")
    assert entry is not None
    assert entry.reason == "unsubscribe: 别再给我发广告了"
    assert entry.since == NOW
    assert await dnd.which(["wm1", "wm2", "wm3"]) == {"wm1"}
    assert await dnd.which([]) == set()
    assert await dnd.remove("wm1")
    assert await dnd.get("wm1") is None
