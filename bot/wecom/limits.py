"""Client-side rate limits that mirror WeCom's (doc 90454), shared by all processes.

Fixed windows like WeCom's own (per minute, per hour), counted in Redis by one Lua call that
checks every window before taking a slot in any, on Redis's clock so all processes agree.
A call over a limit is delayed, never dropped: the limiter waits when the window reopens
soon, otherwise raises RateLimited with ``retry_after`` so the worker re-queues the event.
WeCom silently drops app messages over 30/min or 1000/h per member, hence those buckets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from redis.asyncio import Redis

from bot.store import keys
from bot.wecom.errors import HeldBack

LOCAL_LIMIT_ERRCODE: Final = 45009  # what WeCom itself would have answered

# KEYS[i]: window i's counter, a hash {slot, used}; ARGV: limit_1, window_1, limit_2, ...
# Returns 0 when a slot was taken in every window, else the seconds until one reopens.
# The slot (which window of time) is a field, not part of the key name: every key the
# script touches arrives in KEYS, as Redis Cluster requires.
_ACQUIRE: Final = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local slots = {}
local wait = 0
for i, counter in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local slot = math.floor(now / window)
  local stored = redis.call('HMGET', counter, 'slot', 'used')
  local used = 0
  if tonumber(stored[1]) == slot then used = tonumber(stored[2] or '0') end
  if used >= limit then
    wait = math.max(wait, (slot + 1) * window - now)
  end
  slots[i] = {slot, used, window}
end
if wait > 0 then return tostring(wait) end
for i, counter in ipairs(KEYS) do
  redis.call('HSET', counter, 'slot', slots[i][1], 'used', slots[i][2] + 1)
  redis.call('EXPIRE', counter, slots[i][3] * 2)
end
return '0'
"""


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` calls per ``seconds``."""

    limit: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Bucket:
    """One limited scope (an API of a corp, a member's messages) and its windows."""

    scope: str
    windows: tuple[Window, ...]


class LimiterObserver(Protocol):
    """Told when a call finds a window full (bot.metrics.ScaleMetrics is one)."""

    def limiter_waited(self, api: str, seconds: float, requeued: bool) -> None:
        """The call waited ``seconds``, or (``requeued``) goes back to the queue."""


class RateLimiter:
    """Takes a slot in every bucket of a call, waiting briefly or raising RateLimited."""

    def __init__(
        self,
        redis: Redis,
        corp_id: str,
        max_wait_seconds: float = 2.0,
        observer: LimiterObserver | None = None,
    ) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._max_wait = max_wait_seconds
        self._observer = observer
        self._acquire = redis.register_script(_ACQUIRE)

    async def acquire(self, api: str, buckets: Sequence[Bucket]) -> None:
        """Return once the call may go out; raise RateLimited if that is too far off."""
        if not buckets:
            return
        counters: list[str] = []
        args: list[int] = []
        for bucket in buckets:
            for window in bucket.windows:
                counters.append(keys.rate_window(self._corp_id, bucket.scope, window.seconds))
                args.extend((window.limit, window.seconds))
        waited = 0.0
        while True:
            wait = float(await self._acquire(keys=counters, args=args))
            if wait <= 0:
                if waited and self._observer is not None:
                    self._observer.limiter_waited(api, waited, requeued=False)
                return
            if waited + wait > self._max_wait:
                if self._observer is not None:
                    self._observer.limiter_waited(api, waited, requeued=True)
                raise HeldBack(
                    LOCAL_LIMIT_ERRCODE, "siyu's own limiter: window full", api, retry_after=wait
                )
            await asyncio.sleep(wait)
            waited += wait
