"""The idempotency ledger: an effect keyed by an idempotency key happens once.

A redelivered event (after a crash between the effect and XACK) finds its key recorded and
skips the effect. For effects inside Redis the mark and the effect commit in one MULTI, so
"done" and "recorded" cannot disagree. Effects outside Redis rely on the far side's own
idempotency (WeCom's ``enable_duplicate_check``, single-use welcome codes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from bot.store import keys

DEFAULT_TTL_SECONDS: Final = 7 * 86400


class Ledger:
    """Record-once effects for one corp."""

    def __init__(self, redis: Redis, corp_id: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._ttl_seconds = ttl_seconds

    async def apply_once(self, effect_key: str, effect: Callable[[Pipeline], object]) -> bool:
        """Queue ``effect``'s commands and the ledger mark in one transaction, unless done.

        Returns True if the effect ran now, False if it had already been recorded.
        """
        ledger_key = keys.ledger(self._corp_id, effect_key)
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(ledger_key)
                    # GET, not EXISTS: redis-py's async Cluster pipeline (8.2) answers a
                    # watched EXISTS with the pipeline itself, which is always true.
                    if await pipe.get(ledger_key) is not None:
                        return False
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(ledger_key, "1", ex=self._ttl_seconds)
                    effect(pipe)
                    await pipe.execute()
                except WatchError:
                    continue  # someone recorded it meanwhile: look again
                else:
                    return True

    async def is_done(self, effect_key: str) -> bool:
        """Whether ``effect_key`` is recorded."""
        return bool(await self._redis.exists(keys.ledger(self._corp_id, effect_key)))
