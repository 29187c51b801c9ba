"""The leader's poll: due reminders → ReminderDue events on the stream, then out of the index.

The scheduler knows the due index (a sorted set of reminder ids by due time) and the
reminder hash's assignee, nothing of reminders' states: what a due reminder becomes is the
reminders concern's business, on a worker.

Enqueue first, remove after, both idempotent: the queue's dedup key (reminder id + due time)
drops a repeat, and the removal only happens if the entry's due time is unchanged and the
fencing token is still the current one. A leader killed between the two leaves the entries
in the index; its successor enqueues them again (dropped as duplicates) and removes them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Final, cast

from redis.asyncio import Redis

from bot.clock import Clock
from bot.events.reminders import ReminderDue, reminder_due_xml
from bot.queue import EventQueue
from bot.store import keys

# KEYS: fence, due index. ARGV: token, then (id, due ms) pairs.
_REMOVE_FENCED: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local removed = 0
for i = 2, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[2], ARGV[i])
    removed = removed + 1
  end
end
return removed
"""
_CONCURRENCY: Final = 64  # enqueue calls in flight per poll


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch: the due index's scores."""
    return int(moment.timestamp() * 1000)


class Deposed(Exception):
    """The fencing token is no longer current: another process leads now."""


class DueTicker:
    """Moves due reminders of one corp onto its event stream."""

    def __init__(
        self,
        redis: Redis,
        queue: EventQueue,
        corp_id: str,
        clock: Clock,
        *,
        app: str,
        batch_size: int,
    ) -> None:
        self.redis = redis
        self.queue = queue
        self.corp_id = corp_id
        self.clock = clock
        self.app = app
        self.batch_size = batch_size
        self._remove = redis.register_script(_REMOVE_FENCED)

    async def tick(self, token: int) -> int:
        """Enqueue everything due now (in batches); how many reminders were enqueued."""
        total = 0
        while True:
            moved = await self._batch(token)
            total += moved
            if moved < self.batch_size:
                return total

    async def _batch(self, token: int) -> int:
        now = self.clock.now()
        rows = await self.redis.zrangebyscore(
            keys.reminders_due(self.corp_id),
            "-inf",
            to_ms(now),
            start=0,
            num=self.batch_size,
            withscores=True,
        )
        if not rows:
            return 0
        due = [(int(member), int(score)) for member, score in cast(list[tuple[str, float]], rows)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for reminder_id, _ in due:
                pipe.hget(keys.reminder(self.corp_id, reminder_id), "assignee")
            assignees = await pipe.execute()
        gate = asyncio.Semaphore(_CONCURRENCY)

        async def enqueue(reminder_id: int, due_ms: int, assignee: str | None) -> None:
            event = ReminderDue(
                corp_id=self.corp_id,
                from_user=assignee or "",
                create_time=now,
                reminder_id=reminder_id,
                due_ms=due_ms,
            )
            xml = reminder_due_xml(self.corp_id, assignee or "", reminder_id, due_ms, now)
            async with gate:
                await self.queue.enqueue(self.app, event.kind, event.dedup_key, xml)

        await asyncio.gather(*(enqueue(i, d, a) for (i, d), a in zip(due, assignees, strict=True)))
        pairs = [item for reminder_id, due_ms in due for item in (reminder_id, due_ms)]
        removed = await self._remove(
            keys=[keys.scheduler_fence(self.corp_id), keys.reminders_due(self.corp_id)],
            args=[token, *pairs],
        )
        if int(removed) < 0:
            raise Deposed(f"fencing token {token} is stale")
        return len(due)
