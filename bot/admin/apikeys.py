"""API keys: random, shown once, stored as a SHA-256 digest, each with a role; revocable.

A key reads ``siyu_<id>_<secret>``: the id finds its record without a scan, the secret (256
random bits) is checked against the stored digest in constant time. A fast hash is enough for
a random secret of this size; passwords, which people choose, get scrypt (bot/admin/passwords).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

from redis.asyncio import Redis

from bot.admin.roles import Role
from bot.store import keys

KEY_PREFIX: Final = "siyu_"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key's record (never the key itself)."""

    key_id: str
    role: Role
    name: str
    created_at: str


def digest(secret: str) -> str:
    """SHA-256 of a key or token, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    """The corp's API keys in one Redis hash."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self.redis = redis
        self.key = keys.admin_api_keys(corp_id)
        self.used_key = keys.admin_api_keys_used(corp_id)

    async def create(self, role: Role, name: str, now: datetime) -> tuple[ApiKey, str]:
        """A new key → its record and the key, which is shown this once and not kept."""
        key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(key_id, role, name, now.isoformat())
        await self.redis.hset(
            self.key, key_id, json.dumps({**asdict(record), "digest": digest(key)})
        )
        return record, key

    async def check(self, key: str) -> ApiKey | None:
        """The record of ``key`` if it is a live key."""
        if not key.startswith(KEY_PREFIX):
            return None
        key_id, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
        raw = await self.redis.hget(self.key, key_id) if key_id and secret else None
        if raw is None:
            return None
        stored = json.loads(raw)
        if not secrets.compare_digest(str(stored.pop("digest", "")), digest(key)):
            return None
        return _record(stored)

    async def mark_used(self, key_id: str, at: datetime) -> None:
        """Remember when ``key_id`` last authenticated a request (shown in the console)."""
        await self.redis.hset(self.used_key, key_id, at.isoformat())

    async def last_used(self) -> dict[str, str]:
        """Key id → when it was last used (ISO 8601); keys never used are absent."""
        raw = await self.redis.hgetall(self.used_key)
        return {_text(k): _text(v) for k, v in raw.items()}

    async def listing(self) -> list[ApiKey]:
        """Every live key's record, oldest first."""
        found = [_record(json.loads(raw)) for raw in (await self.redis.hgetall(self.key)).values()]
        return sorted(found, key=lambda k: (k.created_at, k.key_id))

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key at once; False if there was no such key."""
        await self.redis.hdel(self.used_key, key_id)
        return bool(await self.redis.hdel(self.key, key_id))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _record(stored: dict[str, str]) -> ApiKey:
    return ApiKey(stored["key_id"], Role(stored["role"]), stored["name"], stored["created_at"])
