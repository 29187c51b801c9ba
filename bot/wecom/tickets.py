"""JS-SDK tickets (doc 90506): the corp ticket (``get_jsapi_ticket``, for ``wx.config`` and
``ww.register``) and each app's ticket (``ticket/get?type=agent_config``, for agentConfig).

Cached like access tokens (bot/wecom/tokens.py): a Redis hash shared by every process,
refreshed ``refresh_margin`` seconds before expiry by the one holder of a short Redis lock
while the others keep using the still-valid ticket or wait for the new one; each process
keeps the ticket in memory until its refresh time, and inside a process the slow path is
single-flight. So 50 page loads at once make one fetch of each kind. WeCom allows 400
fetches per hour per corp and 100 per app (wecom-spec §6): a client-side limit shared through
Redis keeps siyu under them, and while it is full a still-valid ticket is used.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, cast

from redis.asyncio import Redis

from bot.clock import Clock
from bot.store import keys
from bot.wecom.client import Endpoint, WeComClient
from bot.wecom.errors import RateLimited
from bot.wecom.limits import Bucket, RateLimiter, Window
from bot.wecom.transport import JSON

CORP_TICKET: Final = Endpoint("get_jsapi_ticket", "GET")
APP_TICKET: Final = Endpoint("ticket/get", "GET")
_UNLOCK: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
HOUR: Final = 3600


@dataclass(frozen=True, slots=True)
class TicketPolicy:
    """When to refresh, how long one fetcher may hold the lock, WeCom's hourly caps."""

    refresh_margin_seconds: float = 300.0
    lock_seconds: float = 10.0
    wait_seconds: float = 10.0
    corp_per_hour: int = 400  # get_jsapi_ticket per corp (wecom-spec §6)
    app_per_hour: int = 100  # ticket/get?type=agent_config per app


class TicketCache:
    """One ticket (the corp's or one app's), shared by every process."""

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        corp_id: str,
        scope: str,
        fetch: Callable[[], Awaitable[JSON]],
        *,
        limit: tuple[RateLimiter, Bucket],
        policy: TicketPolicy = TicketPolicy(),
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._fetcher = fetch
        self._limiter, self._bucket = limit
        self._policy = policy
        self._key = keys.jsapi_ticket(corp_id, scope)
        self._lock_key = keys.jsapi_ticket_lock(corp_id, scope)
        self._unlock = redis.register_script(_UNLOCK)
        self._in_memory: tuple[str, float] | None = None  # (ticket, refresh_at)
        self._single_flight = asyncio.Lock()

    async def ticket(self) -> str:
        """A valid ticket, fetched at most once at a time across all processes."""
        if remembered := self._remembered():
            return remembered
        async with self._single_flight:
            if remembered := self._remembered():
                return remembered
            return await self._shared()

    def _remembered(self) -> str | None:
        memory = self._in_memory
        if memory and self._clock.now().timestamp() < memory[1]:
            return memory[0]
        return None

    async def _shared(self) -> str:
        deadline = time.monotonic() + self._policy.wait_seconds
        while True:
            cached = await self._cached()
            now = self._clock.now().timestamp()
            if cached and now < float(cached["refresh_at"]):
                return self._remember(cached)
            owner = secrets.token_hex(8)
            lock_ms = int(self._policy.lock_seconds * 1000)
            if await self._redis.set(self._lock_key, owner, nx=True, px=lock_ms):
                try:
                    fresh = await self._cached()  # another fetcher may have just stored one
                    if fresh and self._clock.now().timestamp() < float(fresh["refresh_at"]):
                        return self._remember(fresh)
                    return await self._fetch(fresh)
                finally:
                    await self._unlock(keys=[self._lock_key], args=[owner])
            if cached and now < float(cached["expires_at"]):
                return str(cached["ticket"])  # another process is refreshing; this one works
            if time.monotonic() > deadline:
                raise TimeoutError("no JS-SDK ticket: another process holds the fetch lock")
            await asyncio.sleep(0.02)

    async def _cached(self) -> dict[str, str] | None:
        cached = cast("dict[str, str]", await self._redis.hgetall(self._key))
        return cached or None

    def _remember(self, cached: dict[str, str]) -> str:
        ticket = str(cached["ticket"])
        self._in_memory = (ticket, float(cached["refresh_at"]))
        return ticket

    async def _fetch(self, stale: dict[str, str] | None) -> str:
        try:
            await self._limiter.acquire(self._bucket.scope, [self._bucket])
        except RateLimited:
            if stale and self._clock.now().timestamp() < float(stale["expires_at"]):
                return str(stale["ticket"])  # over WeCom's hourly cap: the old one still works
            raise
        payload = await self._fetcher()
        ticket = str(payload["ticket"])
        expires_in = int(payload.get("expires_in", 7200))
        now = self._clock.now().timestamp()
        refresh_at = now + max(expires_in - self._policy.refresh_margin_seconds, expires_in / 2)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self._key,
                mapping={
                    "ticket": ticket,
                    "expires_at": str(now + expires_in),
                    "refresh_at": str(refresh_at),
                },
            )
            pipe.expire(self._key, expires_in)
            await pipe.execute()
        self._in_memory = (ticket, refresh_at)
        return ticket


class Tickets:
    """The corp ticket and one app's ticket, fetched with that app's access token."""

    def __init__(
        self,
        redis: Redis,
        client: WeComClient,
        corp_id: str,
        clock: Clock,
        policy: TicketPolicy = TicketPolicy(),
    ) -> None:
        limiter = RateLimiter(redis, corp_id, max_wait_seconds=0.0)
        agent = f"agent:{client.agent_id}"
        corp_bucket = Bucket("jsapi-ticket:corp", (Window(policy.corp_per_hour, HOUR),))
        app_bucket = Bucket(f"jsapi-ticket:{agent}", (Window(policy.app_per_hour, HOUR),))

        async def corp() -> JSON:
            return await client.call(CORP_TICKET)

        async def app() -> JSON:
            return await client.call(APP_TICKET, params={"type": "agent_config"})

        self.corp = TicketCache(
            redis, clock, corp_id, "corp", corp, limit=(limiter, corp_bucket), policy=policy
        )
        self.app = TicketCache(
            redis, clock, corp_id, agent, app, limit=(limiter, app_bucket), policy=policy
        )
