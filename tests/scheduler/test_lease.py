"""The leader lease: one holder at a time, a new fencing token per term, a stale one refused."""

from __future__ import annotations

from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.queue import EventQueue
from config.settings import Settings
from handlers.reminders.records import Reminder, to_ms
from handlers.reminders.repository import ReminderRepository
from scheduler.lease import Lease
from scheduler.ticker import Deposed, DueTicker


async def test_only_one_holder_and_each_term_gets_a_larger_token(
    redis: Redis, settings: Settings
) -> None:
    corp = settings.wecom.corp_id
    first, second = Lease(redis, corp, "a", 10), Lease(redis, corp, "b", 10)
    token = await first.acquire()
    assert token is not None
    assert await second.acquire() is None
    assert await first.renew()
    await first.release()
    later = await second.acquire()
    assert later is not None and later > token
    assert not await first.renew()  # its term is over


async def test_lapsed_lease_is_taken_over(redis: Redis, settings: Settings) -> None:
    corp = settings.wecom.corp_id
    first, second = Lease(redis, corp, "a", 0.05), Lease(redis, corp, "b", 10)
    assert await first.acquire() is not None
    await redis.pexpire(first.key, 1)  # as if its holder died
    await redis.delete(first.key)
    assert await second.acquire() is not None
    assert not await first.renew()


async def test_deposed_leader_cannot_remove_due_entries(
    redis: Redis, settings: Settings, clock: ManualClock
) -> None:
    corp = settings.wecom.corp_id
    repo = ReminderRepository(redis, corp)
    queue = EventQueue(redis, corp)
    await queue.ensure_group()
    await repo.add(Reminder(0, "zhangwei", "回访", to_ms(clock.now())))
    old, new = Lease(redis, corp, "old", 10), Lease(redis, corp, "new", 10)
    stale = await old.acquire()
    await redis.delete(old.key)
    assert await new.acquire() is not None
    ticker = DueTicker(redis, queue, corp, clock, app="default", batch_size=10)
    assert stale is not None
    try:
        await ticker.tick(stale)
    except Deposed:
        pass
    else:
        raise AssertionError("a stale token moved the index")
    assert await repo.waiting() == 1  # still there for the real leader
    assert new.token is not None
    assert await ticker.tick(new.token) == 1
    assert await ticker.tick(new.token) == 0
    assert (await queue.stats()).length == 1  # enqueued once, whoever tried


async def test_repeated_enqueue_of_one_due_time_is_dropped_by_the_queue(
    redis: Redis, settings: Settings
) -> None:
    corp = settings.wecom.corp_id
    queue = EventQueue(redis, corp)
    await queue.ensure_group()
    clock = ManualClock(datetime(2026, 11, 24, 7, tzinfo=UTC))
    repo = ReminderRepository(redis, corp)
    await repo.add(Reminder(0, "zhangwei", "回访", to_ms(clock.now())))
    lease = Lease(redis, corp, "a", 10)
    token = await lease.acquire()
    assert token is not None
    ticker = DueTicker(redis, queue, corp, clock, app="default", batch_size=10)
    await redis.zadd(f"siyu:{{{corp}}}:reminders:due", {"1": to_ms(clock.now())})
    await ticker.tick(token)
    await redis.zadd(f"siyu:{{{corp}}}:reminders:due", {"1": to_ms(clock.now())})  # re-added
    await ticker.tick(token)
    assert (await queue.stats()).length == 1
