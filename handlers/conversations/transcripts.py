"""Transcripts of KF customers: their last messages and the bot's and servicers' replies.

Bounded (kf.transcript_max per customer, kf.transcript_days after the last message) and kept
only in Redis: logs never carry a message's text, only its length and id.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from redis.asyncio import Redis

from bot.store import keys


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a transcript: when, who (customer|bot|servicer:<userid>), what."""

    at: str  # ISO 8601
    who: str
    text: str


class Transcripts:
    """One corp's KF transcripts."""

    def __init__(self, redis: Redis, corp_id: str, max_lines: int, ttl_days: int) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._max = max_lines
        self._ttl = ttl_days * 86400

    async def add(self, customer: str, at: datetime, who: str, text: str) -> None:
        """Append a line (the oldest beyond the cap go)."""
        key = keys.kf_transcript(self._corp_id, customer)
        line = json.dumps(asdict(Line(at.isoformat(), who, text)), ensure_ascii=False)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, line)
            pipe.ltrim(key, 0, self._max - 1)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def last(self, customer: str, count: int) -> list[Line]:
        """The customer's last ``count`` lines, oldest first."""
        if count <= 0:
            return []
        raw = await self._redis.lrange(keys.kf_transcript(self._corp_id, customer), 0, count - 1)
        return [Line(**json.loads(item)) for item in reversed(raw)]
