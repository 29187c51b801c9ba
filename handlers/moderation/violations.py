"""Violation counters per customer and per staff member, by category, and alert records.

Counting is queued into a ledger transaction by the caller, so a redelivered message counts
once. An alert record keeps the card as first built (a resend after a crash is the same
card, which WeCom's duplicate check drops) and the first reviewer's resolution.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.store import keys

TOTAL: Final = "total"
ALERT_TTL_SECONDS: Final = 30 * 86400


class Violations:
    """The counters of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id

    def count(
        self, pipe: Pipeline, role: str, who: str, categories: Iterable[str], delta: int = 1
    ) -> None:
        """Queue +``delta`` for each category and the total (-1 takes a false positive back)."""
        key = keys.violations(self._corp_id, role, who)
        for category in categories:
            pipe.hincrby(key, category, delta)
        pipe.hincrby(key, TOTAL, delta)

    async def of(self, role: str, who: str) -> dict[str, int]:
        """A customer's or staff member's counts by category, and ``total``."""
        stored = await self._redis.hgetall(keys.violations(self._corp_id, role, who))
        return {str(name): int(value) for name, value in stored.items()}


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One alert: its card, what it is about, and how it was resolved (if it was)."""

    card: dict[str, Any]
    about: dict[str, Any]  # message key, role, sender, categories, reviewers
    resolution: dict[str, Any] | None


class AlertRecords:
    """The alerts of one corp, by card task id."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id

    async def get(self, task_id: str) -> AlertRecord | None:
        """The alert, if it was recorded (and has not expired)."""
        stored = await self._redis.hgetall(keys.moderation_alert(self._corp_id, task_id))
        if "card" not in stored:
            return None
        resolution = stored.get("resolution")
        return AlertRecord(
            json.loads(stored["card"]),
            json.loads(stored.get("about", "{}")),
            None if resolution is None else json.loads(resolution),
        )

    async def keep(
        self, task_id: str, card: Mapping[str, Any], about: Mapping[str, Any]
    ) -> AlertRecord:
        """Record the alert unless it was; the record as stored (the first one wins)."""
        key = keys.moderation_alert(self._corp_id, task_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, "card", json.dumps(card, ensure_ascii=False))
            pipe.hsetnx(key, "about", json.dumps(about, ensure_ascii=False))
            pipe.expire(key, ALERT_TTL_SECONDS)
            await pipe.execute()
        found = await self.get(task_id)
        if found is None:  # expired in between: cannot happen within 30 days
            return AlertRecord(dict(card), dict(about), None)
        return found

    async def resolve(self, task_id: str, resolution: Mapping[str, Any]) -> tuple[bool, str]:
        """Record how the alert was resolved: (first?, the action that stands)."""
        key = keys.moderation_alert(self._corp_id, task_id)
        first = bool(await self._redis.hsetnx(key, "resolution", json.dumps(resolution)))
        stored = await self._redis.hget(key, "resolution")
        action = json.loads(stored).get("action", "") if stored else str(resolution["action"])
        return first, str(action)
