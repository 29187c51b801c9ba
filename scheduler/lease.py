"""The scheduler leader's lease: SET NX PX plus a fencing token incremented per acquisition.

APScheduler's FAQ: a job store must not be shared by several schedulers. Exactly one process
holds the lease and runs the scheduler; the others stand by and take over once it lapses. A
deposed leader's writes are refused by the fence (scheduler/ticker.py), even before it
notices it lost the lease.
"""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

from bot.store import keys

_ACQUIRE: Final = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
  return token
end
return 0
"""
_RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    """One process's claim to lead the scheduler of a corp."""

    def __init__(self, redis: Redis, corp_id: str, holder: str, ttl_seconds: float) -> None:
        self.key = keys.scheduler_lease(corp_id)
        self.fence_key = keys.scheduler_fence(corp_id)
        self.holder = holder
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token: int | None = None
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    @property
    def value(self) -> str:
        """What the lease key holds while this process leads."""
        return f"{self.holder}|{self.token}"

    async def acquire(self) -> int | None:
        """Take the lease if it is free; the new fencing token, or None."""
        token = int(
            await self._acquire(keys=[self.key, self.fence_key], args=[self.holder, self.ttl_ms])
        )
        self.token = token or None
        return self.token

    async def renew(self) -> bool:
        """Extend the lease; False if it is no longer ours (lapsed and taken)."""
        if self.token is None:
            return False
        return bool(await self._renew(keys=[self.key], args=[self.value, self.ttl_ms]))

    async def release(self) -> None:
        """Give the lease up (on a clean stop) so a standby takes over at once."""
        if self.token is not None:
            await self._release(keys=[self.key], args=[self.value])
            self.token = None
