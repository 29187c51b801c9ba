"""Short Redis locks for work one process at a time should do (creating tags, changing codes).

A lock is a key holding its owner's token, set with NX and a TTL (a crashed owner frees
it), released only by its owner (compare and delete). ``take_or_mark`` may also leave a
"dirty" mark when the lock is busy, telling the holder to look again before it lets go;
``renewed`` keeps a held lock alive through work longer than its TTL (a watchdog).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
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


class Lock:
    """One named lock."""

    def __init__(self, redis: Redis, key: str, ttl_seconds: float = 10.0) -> None:
        self._redis = redis
        self._key = key
        self._ttl_ms = int(ttl_seconds * 1000)
        self._token = secrets.token_hex(8)
        self._release = redis.register_script(_RELEASE)
        self._take_or_mark = redis.register_script(_TAKE_OR_MARK)
        self._release_if_clean = redis.register_script(_RELEASE_IF_CLEAN)
        self._extend = redis.register_script(_EXTEND)
        self.renewals = 0  # how often ``renewed`` extended the lock (for tests and logs)
        self._letting_go = False  # a renewal racing the release is not a lost lock

    @contextlib.asynccontextmanager
    async def held(self, wait_seconds: float) -> AsyncIterator[bool]:
        """Hold the lock while inside; yields False if it stayed busy ``wait_seconds``."""
        deadline = time.monotonic() + wait_seconds
        while not await self._redis.set(self._key, self._token, nx=True, px=self._ttl_ms):
            if time.monotonic() >= deadline:
                yield False
                return
            await asyncio.sleep(0.02)
        try:
            yield True
        finally:
            await self.release()

    async def take_or_mark(self, dirty_key: str, dirty_ttl_seconds: float = 60.0) -> bool:
        """Take the lock now, or leave a dirty mark for its holder and return False."""
        taken = await self._take_or_mark(
            keys=[self._key, dirty_key],
            args=[self._token, self._ttl_ms, int(dirty_ttl_seconds * 1000)],
        )
        return bool(taken)

    async def extend(self) -> bool:
        """Reset the lock's TTL if it is still ours (False: it expired or was taken)."""
        return bool(await self._extend(keys=[self._key], args=[self._token, self._ttl_ms]))

    @contextlib.asynccontextmanager
    async def renewed(self) -> AsyncIterator[None]:
        """Keep the (taken) lock alive while inside: a watchdog extends it every third of its
        TTL, so work longer than the TTL keeps it (a crashed holder's lock still expires)."""
        watchdog = asyncio.create_task(self._watch(), name=f"lock-watchdog-{self._key}")
        try:
            yield
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._ttl_ms / 3000)
            try:
                still_ours = await self.extend()
            except RedisError as exc:  # the next tick tries again, within the TTL
                logger.warning("lock %s not extended: %s", self._key, exc)
                continue
            if not still_ours:
                if not self._letting_go:
                    logger.error("lock %s was lost while held", self._key)
                return
            self.renewals += 1

    async def release_if_clean(self, dirty_key: str) -> bool:
        """Release unless a dirty mark arrived (then it is cleared and the lock kept)."""
        self._letting_go = True
        released = await self._release_if_clean(keys=[self._key, dirty_key], args=[self._token])
        self._letting_go = bool(released)
        return bool(released)

    async def release(self) -> None:
        """Release if still ours."""
        self._letting_go = True
        await self._release(keys=[self._key], args=[self._token])
