"""Access tokens per (corp, app), cached in Redis and shared by every siyu process.

A token is refreshed ``refresh_margin`` seconds before it expires by exactly one process,
the holder of a short Redis lock; the others keep using the still-valid token, or wait for
the new one, so 50 concurrent callers cause one gettoken, not 50 (wechatpy's RedisStorage
has no lock: every process refetches when the key expires). On 40014/42001 the caller
invalidates the token it used; a newer token stored meanwhile is left alone.

Each process also keeps the token it last saw in memory until its refresh time, so a call
costs no Redis read for the token (a fifth of a welcome's CPU was that read). A token WeCom
dropped early is found out by the call that carries it (40014), which invalidates it here too.

Two races are closed here. A Redis read sent before another caller's invalidation and answered
after it carries the dead token: the process remembers the tokens WeCom rejected and never
trusts them again, wherever they come from. And a caller that finds no token, then wins the
lock just after another refresher released it, reads the hash again before fetching. Inside
one process the slow path is single-flight (an asyncio lock), so 50 callers make one read.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Final, cast

from redis.asyncio import Redis

from bot.clock import Clock
from bot.store import keys
from bot.wecom.transport import Transport

_COMPARE_AND_DELETE: Final = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_UNLOCK: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# Tokens WeCom rejected that a process keeps refusing: a dead token can arrive late from a
# Redis read sent before its invalidation, and a token is never handed out again.
_REMEMBERED_REJECTIONS: Final = 16


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """When to refresh and how long one refresher may hold the lock."""

    refresh_margin_seconds: float = 300.0
    lock_seconds: float = 10.0
    wait_seconds: float = 10.0


class TokenCache:
    """The access token of one app."""

    def __init__(
        self,
        redis: Redis,
        transport: Transport,
        corp_id: str,
        secret: str,
        clock: Clock,
        *,
        policy: TokenPolicy = TokenPolicy(),
    ) -> None:
        self._redis = redis
        self._transport = transport
        self._corp_id = corp_id
        self._secret = secret
        self._clock = clock
        self._policy = policy
        # One cache per (corp, secret); a digest names the secret without revealing it.
        digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
        self._key = keys.access_token(corp_id, digest)
        self._lock_key = keys.access_token_lock(corp_id, digest)
        self._compare_and_delete = redis.register_script(_COMPARE_AND_DELETE)
        self._unlock = redis.register_script(_UNLOCK)
        self._in_memory: tuple[str, float] | None = None  # (token, refresh_at)
        self._rejected: deque[str] = deque(maxlen=_REMEMBERED_REJECTIONS)
        self._single_flight = asyncio.Lock()

    async def token(self) -> str:
        """A valid access token, fetched at most once at a time across all processes."""
        if remembered := self._remembered():
            return remembered
        async with self._single_flight:  # the others of this process wait, then read memory
            if remembered := self._remembered():
                return remembered
            return await self._shared_token()

    def _remembered(self) -> str | None:
        memory = self._in_memory
        if memory and memory[0] not in self._rejected and self._clock.now().timestamp() < memory[1]:
            return memory[0]
        return None

    async def _shared_token(self) -> str:
        deadline = time.monotonic() + self._policy.wait_seconds
        while True:
            cached = await self._usable_cached()
            now = self._clock.now().timestamp()
            if cached and now < float(cached["refresh_at"]):
                return self._remember(cached)
            owner = secrets.token_hex(8)
            lock_ms = int(self._policy.lock_seconds * 1000)
            if await self._redis.set(self._lock_key, owner, nx=True, px=lock_ms):
                try:
                    # Another refresher may have stored a token between our read and our lock.
                    fresh = await self._usable_cached()
                    if fresh and self._clock.now().timestamp() < float(fresh["refresh_at"]):
                        return self._remember(fresh)
                    return await self._fetch()
                finally:
                    await self._unlock(keys=[self._lock_key], args=[owner])
            if cached and now < float(cached["expires_at"]):
                return str(cached["token"])  # another process is refreshing; this one still works
            if time.monotonic() > deadline:
                raise TimeoutError("no access token: another process holds the refresh lock")
            await asyncio.sleep(0.02)

    async def _usable_cached(self) -> dict[str, str] | None:
        """The shared token's hash, unless empty or holding a token WeCom already rejected."""
        cached = cast("dict[str, str]", await self._redis.hgetall(self._key))  # decoded replies
        if not cached or cached["token"] in self._rejected:
            return None
        return cached

    def _remember(self, cached: dict[str, str]) -> str:
        token = str(cached["token"])
        self._in_memory = (token, float(cached["refresh_at"]))
        return token

    async def _fetch(self) -> str:
        payload = await self._transport.request(
            "GET", "gettoken", {"corpid": self._corp_id, "corpsecret": self._secret}, None
        )
        token = str(payload["access_token"])
        expires_in = int(payload.get("expires_in", 7200))
        now = self._clock.now().timestamp()
        refresh_at = now + max(expires_in - self._policy.refresh_margin_seconds, expires_in / 2)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self._key,
                mapping={
                    "token": token,
                    "expires_at": str(now + expires_in),
                    "refresh_at": str(refresh_at),
                },
            )
            pipe.expire(self._key, expires_in)
            await pipe.execute()
        self._in_memory = (token, refresh_at)
        return token

    async def invalidate(self, token: str) -> None:
        """Forget ``token`` (WeCom said 40014/42001), unless a newer one replaced it."""
        if token not in self._rejected:
            self._rejected.append(token)
        if self._in_memory and self._in_memory[0] == token:
            self._in_memory = None
        await self._compare_and_delete(keys=[self._key], args=[token])
