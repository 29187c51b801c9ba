"""The per-account pull lock: one puller per open_kfid, renewed while the pull goes on.

The lock is a key holding its owner's token with a short TTL (a crashed puller frees it
within that). A pull of thousands of messages outlives any fixed TTL, so while the lock is
held a watchdog extends it every third of its TTL, and only while it still holds the owner's
token. A notification that finds the lock taken leaves a "dirty" mark; the holder reads again
before it lets go (``release_if_clean``), so no news is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DIRTY_SECONDS: Final = 60.0
# KEYS: lock, dirty; ARGV: token, lock ms, dirty ms. 1: taken; 0: busy (dirty mark left).
_TAKE_OR_MARK: Final = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 0
"""
# KEYS: lock; ARGV: token, lock ms. 1: extended; 0: not ours any more.
_EXTEND: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS: lock, dirty; ARGV: token. 1: released; 0: someone wanted a look meanwhile (kept).
_RELEASE_IF_CLEAN: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 1 end
if redis.call('DEL', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class PullLock:
    """One account's pull lock with its dirty mark and its watchdog."""

    def __init__(self, redis: Redis, key: str, dirty_key: str, ttl_seconds: float) -> None:
        self._redis = redis
        self._keys = [key, dirty_key]
        self._ttl_ms = max(1, int(ttl_seconds * 1000))
        self._token = secrets.token_hex(8)
        self._take_or_mark = redis.register_script(_TAKE_OR_MARK)
        self._extend = redis.register_script(_EXTEND)
        self._release_if_clean = redis.register_script(_RELEASE_IF_CLEAN)
        self._release = redis.register_script(_RELEASE)
        self.renewals = 0  # how often the watchdog extended the lock (for tests and logs)
        self._released = False

    async def take_or_mark(self) -> bool:
        """Take the lock now, or leave the dirty mark for its holder and return False."""
        args: list[str | int] = [self._token, self._ttl_ms, int(DIRTY_SECONDS * 1000)]
        return bool(await self._take_or_mark(keys=self._keys, args=args))

    async def extend(self) -> bool:
        """Reset the lock's TTL if it is still ours (False: it expired or was taken)."""
        return bool(await self._extend(keys=self._keys[:1], args=[self._token, self._ttl_ms]))

    @contextlib.asynccontextmanager
    async def renewed(self) -> AsyncIterator[None]:
        """Keep the (taken) lock alive while inside."""
        watchdog = asyncio.create_task(self._watch())
        try:
            yield
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _watch(self) -> None:
        period = self._ttl_ms / 3000
        while True:
            await asyncio.sleep(period)
            try:
                still_ours = await self.extend()
            except RedisError as exc:  # the next tick tries again, within the TTL
                logger.warning("kf pull lock %s not extended: %s", self._keys[0], exc)
                continue
            if not still_ours:
                if self._released:  # let go while the extension was on its way
                    return
                logger.error("kf pull lock %s was lost during a pull", self._keys[0])
                return
            self.renewals += 1

    async def release_if_clean(self) -> bool:
        """Release unless a dirty mark arrived (then it is cleared and the lock kept)."""
        self._released = True  # a watchdog tick racing the release is not a lost lock
        released = bool(await self._release_if_clean(keys=self._keys, args=[self._token]))
        self._released = released
        return released

    async def release(self) -> None:
        """Release if still ours."""
        self._released = True
        await self._release(keys=self._keys[:1], args=[self._token])
