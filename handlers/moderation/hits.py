"""The console's review list of recent sensitive hits: bounded, newest first, in Redis.

One record per message (its key: a redelivered message is recorded once) with what the
reviewer needs: when, who (role and sender id), the categories and words hit and the
excerpt an alert card shows (the hits in 【】 with a little context), never the whole text.
The newest ``MAX_HITS`` are kept: older ones are dropped as new ones come.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Final

from redis.asyncio import Redis

from bot.deps import ComponentKey, Deps
from bot.events.conversation import ChatMessage
from bot.store import keys
from handlers.moderation.alerts import categories_of
from handlers.moderation.analyzer import rules_of
from handlers.moderation.excerpt import excerpt
from nlp import Hit

MAX_HITS: Final = 200


@dataclass(frozen=True, slots=True)
class HitRecord:
    """One message's sensitive hits as the review list shows them."""

    message: str  # the message's idempotency key (ChatMessage.key)
    at_ms: int
    role: str  # customer or staff
    sender: str  # external_userid or userid
    source: str
    categories: tuple[str, ...]
    words: tuple[str, ...]
    excerpt: str

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> HitRecord:
        """A stored record."""
        data = json.loads(raw)
        data["categories"] = tuple(data["categories"])
        data["words"] = tuple(data["words"])
        return cls(**data)


class HitLog:
    """The recent hits of one corp."""

    def __init__(self, redis: Redis, corp_id: str, limit: int = MAX_HITS) -> None:
        self._redis = redis
        self._index = keys.moderation_hits(corp_id)
        self._records = keys.moderation_hit_records(corp_id)
        self._limit = limit

    async def record(self, hit: HitRecord) -> bool:
        """Add a message's hits unless they are recorded; drop the oldest beyond the limit."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(self._records, hit.message, hit.to_json())
            pipe.zadd(self._index, {hit.message: hit.at_ms}, nx=True)
            pipe.zrange(self._index, 0, -(self._limit + 1))
            pipe.zremrangebyrank(self._index, 0, -(self._limit + 1))
            added, _, dropped, _ = await pipe.execute()
        if dropped:
            await self._redis.hdel(self._records, *dropped)
        return bool(added)

    async def recent(self, limit: int = 50) -> list[HitRecord]:
        """The newest hits first."""
        found = [str(key) for key in await self._redis.zrevrange(self._index, 0, limit - 1)]
        if not found:
            return []
        raw = await self._redis.hmget(self._records, found)
        return [HitRecord.from_json(str(item)) for item in raw if item is not None]


# The review list of this process's corp.
HIT_LOG: Final = ComponentKey[HitLog]("moderation_hit_log")


async def record_hits(deps: Deps, message: ChatMessage, hits: tuple[Hit, ...]) -> None:
    """Keep a flagged message's hits (categories, words, excerpt) in the review list."""
    context = (await rules_of(deps)).alerts.excerpt_context
    await deps.get(HIT_LOG).record(
        HitRecord(
            message=message.key,
            at_ms=int(message.sent_at.timestamp() * 1000),
            role=str(message.role),
            sender=message.sender,
            source=str(message.source),
            categories=categories_of(hits),
            words=tuple(dict.fromkeys(hit.word for hit in hits)),
            excerpt=excerpt(message.text, [(h.start, h.end) for h in hits], context),
        )
    )
