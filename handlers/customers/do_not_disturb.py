"""Do-not-disturb: customers who asked to hear no more marketing (免打扰). Group sends skip them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from bot.store import keys


@dataclass(frozen=True, slots=True)
class DoNotDisturbEntry:
    """Why and since when a customer is not to be messaged in campaigns."""

    external_userid: str
    reason: str
    since: datetime


class DoNotDisturb:
    """The do-not-disturb list of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._key = keys.do_not_disturb(corp_id)

    async def add(self, external_userid: str, reason: str, since: datetime) -> bool:
        """Mark a customer; False if they were already marked (the first reason stays)."""
        value = json.dumps({"reason": reason, "since": since.isoformat()}, ensure_ascii=False)
        return bool(await self._redis.hsetnx(self._key, external_userid, value))

    async def remove(self, external_userid: str) -> bool:
        """Lift the mark; False if there was none."""
        return bool(await self._redis.hdel(self._key, external_userid))

    async def get(self, external_userid: str) -> DoNotDisturbEntry | None:
        """The mark of one customer, if any."""
        raw = await self._redis.hget(self._key, external_userid)
        if raw is None:
            return None
        fields = json.loads(raw)
        since = datetime.fromisoformat(fields["since"])
        return DoNotDisturbEntry(external_userid, fields["reason"], since)

    async def which(self, external_userids: Iterable[str]) -> set[str]:
        """Those of ``external_userids`` who are marked (one round trip)."""
        wanted = list(external_userids)
        if not wanted:
            return set()
        marked = await self._redis.hmget(self._key, wanted)
        return {uid for uid, value in zip(wanted, marked, strict=True) if value is not None}
