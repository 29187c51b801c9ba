"""Sent reminders nobody acted on within ``reminders.expire_hours`` become expired.

Run on the minute tick by a worker (the scheduler only moves due ids onto the queue).
"""

from __future__ import annotations

from datetime import datetime

from bot.store import keys
from handlers.reminders.records import State, to_ms
from handlers.reminders.repository import ReminderRepository


async def expire_unanswered(repo: ReminderRepository, now: datetime, batch_size: int) -> int:
    """Expire what ran out by ``now`` (``batch_size`` at a time); how many were expired."""
    expired = 0
    while ids := await repo.expiring(to_ms(now), batch_size):
        for reminder_id in ids:
            if await repo.transition(reminder_id, State.EXPIRED, note="not acted on in time"):
                expired += 1
        # gone or moved on: out of the index either way
        await repo.redis.zrem(keys.reminders_expiring(repo.corp_id), *ids)
        if len(ids) < batch_size:
            break
    return expired
