"""A customer's timeline: what staff did about them from the sidebar, newest first."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from bot.store import keys


class Timeline:
    """The timelines of one corp's customers."""

    def __init__(self, redis: Redis, corp_id: str, max_entries: int, ttl_days: int) -> None:
        self._redis = redis
        self._corp = corp_id
        self._max = max_entries
        self._ttl = ttl_days * 86400

    async def record(
        self,
        external_userid: str,
        userid: str,
        action: str,
        at: datetime,
        detail: Mapping[str, Any],
    ) -> None:
        """Add one entry: who did what (``action``: tag, reminder, reminder_done, dnd...)."""
        entry = {"at": at.isoformat(), "by": userid, "action": action, **detail}
        key = keys.customer_timeline(self._corp, external_userid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, 0, self._max - 1)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def recent(self, external_userid: str, limit: int = 20) -> list[dict[str, Any]]:
        """The latest entries, newest first."""
        raw = await self._redis.lrange(
            keys.customer_timeline(self._corp, external_userid), 0, limit - 1
        )
        return [json.loads(item) for item in raw]
