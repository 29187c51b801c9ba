"""A relationship's reminders are found through their own index, not the staff member's all."""

from __future__ import annotations

from redis.asyncio import Redis

from config.settings import Settings
from handlers.reminders.records import Reminder
from handlers.reminders.repository import ReminderRepository


async def test_reminders_of_one_customer_of_one_staff_member(
    redis: Redis, settings: Settings
) -> None:
    repo = ReminderRepository(redis, settings.wecom.corp_id)
    made = {}
    for name, staff, customer in [
        ("a1", "zhangwei", "wmA"),
        ("a2", "zhangwei", "wmA"),
        ("b1", "zhangwei", "wmB"),
        ("a3", "lina", "wmA"),
        ("n1", "zhangwei", ""),
    ]:
        stored, created = await repo.add(
            Reminder(0, staff, name, 1_800_000_000_000, customer_id=customer), once=name
        )
        assert created
        made[name] = stored.id
    found = await repo.of_pair("zhangwei", "wmA")
    assert [r.id for r in found] == [made["a1"], made["a2"]]
    assert [r.text for r in await repo.of_pair("lina", "wmA")] == ["a3"]
    assert await repo.of_pair("wangfang", "wmA") == []
    again, created = await repo.add(Reminder(0, "zhangwei", "a1", 1, customer_id="wmA"), once="a1")
    assert not created and again.id == made["a1"]
    assert len(await repo.of_pair("zhangwei", "wmA")) == 2, "a repeated add indexes nothing new"
