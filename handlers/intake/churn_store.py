"""Churn records waiting for managers' digests, and when each manager's last one went out."""

from __future__ import annotations

import json
from dataclasses import asdict

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.store import keys
from handlers.intake.churn_notices import Loss


class ChurnDigests:
    """The pending digest records of one corp, per manager."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id

    def queue(self, pipe: Pipeline, manager: str, loss: Loss) -> None:
        """Queue a loss for ``manager``'s next digest (inside the caller's transaction)."""
        record = json.dumps(asdict(loss), ensure_ascii=False, sort_keys=True)
        pipe.zadd(keys.churn_digest(self._corp_id, manager), {record: loss.at})
        pipe.sadd(keys.churn_digest_managers(self._corp_id), manager)

    async def managers(self) -> list[str]:
        """Managers who had records queued (the set is small: one member per manager)."""
        return sorted(
            str(m) for m in await self._redis.smembers(keys.churn_digest_managers(self._corp_id))
        )

    async def before(self, manager: str, moment: int) -> list[Loss]:
        """The manager's records of losses strictly before ``moment``."""
        rows = await self._redis.zrangebyscore(
            keys.churn_digest(self._corp_id, manager), "-inf", f"({moment}"
        )
        return [Loss(**json.loads(str(row))) for row in rows]

    async def last_sent(self, manager: str) -> int | None:
        """The digest slot (Unix seconds) last sent to the manager."""
        value = await self._redis.hget(keys.churn_digest_sent(self._corp_id), manager)
        return None if value is None else int(value)

    async def mark_sent(self, manager: str, slot: int) -> None:
        """The digest of ``slot`` went out: drop its records, remember the slot."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(keys.churn_digest(self._corp_id, manager), "-inf", f"({slot}")
            pipe.hset(keys.churn_digest_sent(self._corp_id), manager, str(slot))
            await pipe.execute()
