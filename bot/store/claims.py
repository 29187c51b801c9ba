"""Claims: an idempotency-ledger mark taken before an effect outside Redis, in one SET NX.

``Ledger.apply_once`` with no Redis effect costs a WATCH, an EXISTS and a MULTI/EXEC; a
claim is the same mark (same key, same TTL, seen by ``Ledger.is_done``) in one round trip.
Use it where doing the effect twice is worse than not at all (a welcome code is single-use).
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.store import keys
from bot.store.ledger import DEFAULT_TTL_SECONDS


async def claim(
    redis: Redis, corp_id: str, effect_key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> bool:
    """Mark ``effect_key`` done; True if this caller made the mark, False if it was there."""
    return bool(await redis.set(keys.ledger(corp_id, effect_key), "1", nx=True, ex=ttl_seconds))
