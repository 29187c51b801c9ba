"""Moderation's flags on a customer's messages, kept per customer for the card: the label
and the excerpt (never the whole message). The same flag written twice is kept once (a
sorted set of deterministic members), so redelivery adds nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from redis.asyncio import Redis

from bot.store import keys

FLAGS_KEPT: Final = 50


@dataclass(frozen=True, slots=True)
class CustomerFlag:
    """A flagged message of a customer, as the card shows it."""

    kind: str  # sensitive
    label: str  # the categories' labels (引流、广告法)
    excerpt: str  # the hits in 【】 with a little context
    at: datetime
    message: str  # the message's key (source:msgid)


class FlagStore:
    """The flag lists of one corp's customers."""

    def __init__(self, redis: Redis, corp_id: str, ttl_days: int) -> None:
        self._redis = redis
        self._corp = corp_id
        self._ttl = ttl_days * 86400

    async def add(self, external_userid: str, flag: CustomerFlag) -> None:
        """Keep one flag (the same flag twice is kept once)."""
        entry: dict[str, str | int] = {
            "kind": flag.kind,
            "label": flag.label,
            "excerpt": flag.excerpt,
            "at": int(flag.at.timestamp()),
            "message": flag.message,
        }
        key = keys.customer_flags(self._corp, external_userid)
        async with self._redis.pipeline(transaction=True) as pipe:
            member = json.dumps(entry, ensure_ascii=False, sort_keys=True)
            pipe.zadd(key, {member: int(flag.at.timestamp())})
            pipe.zremrangebyrank(key, 0, -FLAGS_KEPT - 1)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def recent(self, external_userid: str, limit: int) -> Sequence[CustomerFlag]:
        """The latest flags, newest first."""
        if limit <= 0:
            return ()
        raw = await self._redis.zrevrange(
            keys.customer_flags(self._corp, external_userid), 0, limit - 1
        )
        found = []
        for item in raw:
            entry = json.loads(str(item))
            at = datetime.fromtimestamp(int(entry["at"]), tz=UTC)
            found.append(
                CustomerFlag(entry["kind"], entry["label"], entry["excerpt"], at, entry["message"])
            )
        return found
