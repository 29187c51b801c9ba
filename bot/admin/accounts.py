"""Operator accounts (name, role, scrypt password hash), their sessions and login throttling."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from redis.asyncio import Redis

from bot.admin.apikeys import digest
from bot.admin.passwords import DUMMY_HASH, MIN_LENGTH, hash_password, verify_password
from bot.admin.roles import Principal, Role
from bot.store import keys
from config.settings import AdminSettings

NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
SESSION_PREFIX: Final = "siyus_"


class AccountError(ValueError):
    """An account cannot be made or changed as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class Account:
    """An operator account (never its password)."""

    name: str
    role: Role
    created_at: str
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A login: its token (shown once) and when it ends."""

    token: str
    expires_at: datetime


def check_password_rules(password: str) -> None:
    """AccountError unless ``password`` is acceptable."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"a password needs at least {MIN_LENGTH} characters")


class Accounts:
    """The corp's operator accounts in one Redis hash."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self.redis = redis
        self.key = keys.admin_users(corp_id)

    async def create(self, name: str, role: Role, password: str, now: datetime) -> Account:
        """A new account (AccountError if the name is taken or invalid, or the password short)."""
        if not NAME_PATTERN.fullmatch(name):
            raise AccountError("a name is 1-64 letters, digits or _.@-")
        check_password_rules(password)
        record = {
            "role": role.value,
            "password": hash_password(password),
            "created_at": now.isoformat(),
        }
        if not await self.redis.hsetnx(self.key, name, json.dumps(record)):
            raise AccountError(f"there is already an account named {name}")
        return Account(name, role, record["created_at"])

    async def set_password(self, name: str, password: str) -> None:
        """Change an account's password (AccountError if there is no such account)."""
        check_password_rules(password)
        raw = await self.redis.hget(self.key, name)
        if raw is None:
            raise AccountError(f"no account named {name}")
        record = {**json.loads(raw), "password": hash_password(password)}
        await self.redis.hset(self.key, name, json.dumps(record))

    async def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable an account (it cannot log in, its sessions stop working) or enable it again
        (AccountError if there is no such account)."""
        raw = await self.redis.hget(self.key, name)
        if raw is None:
            raise AccountError(f"no account named {name}")
        record = {**json.loads(raw), "disabled": disabled}
        await self.redis.hset(self.key, name, json.dumps(record))

    async def listing(self) -> list[Account]:
        """Every account, by name."""
        found = await self.redis.hgetall(self.key)
        return [_account(str(name), json.loads(raw)) for name, raw in sorted(found.items())]

    async def verify(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is its password (as slow for unknown names)."""
        raw = await self.redis.hget(self.key, name) if NAME_PATTERN.fullmatch(name) else None
        record = json.loads(raw) if raw is not None else None
        stored = record["password"] if record is not None else DUMMY_HASH
        if not verify_password(password, stored) or record is None or record.get("disabled"):
            return None
        return _account(name, record)


def _account(name: str, record: dict[str, Any]) -> Account:
    return Account(
        name, Role(record["role"]), record["created_at"], bool(record.get("disabled", False))
    )


class Sessions:
    """Login sessions: a random token whose digest keys a Redis value with a TTL."""

    def __init__(self, redis: Redis, corp_id: str, settings: AdminSettings) -> None:
        self.redis = redis
        self.corp_id = corp_id
        self.lifetime = timedelta(hours=settings.session_hours)

    async def open(self, account: Account, now: datetime) -> Session:
        """A new session for ``account``."""
        token = f"{SESSION_PREFIX}{secrets.token_urlsafe(32)}"
        value = json.dumps({"user": account.name, "role": account.role.value})
        seconds = max(int(self.lifetime.total_seconds()), 1)
        await self.redis.set(keys.admin_session(self.corp_id, digest(token)), value, ex=seconds)
        return Session(token, now + self.lifetime)

    async def check(self, token: str) -> Principal | None:
        """Who holds the live session ``token``."""
        if not token.startswith(SESSION_PREFIX):
            return None
        raw = await self.redis.get(keys.admin_session(self.corp_id, digest(token)))
        if raw is None:
            return None
        found = json.loads(raw)
        account = await self.redis.hget(keys.admin_users(self.corp_id), found["user"])
        if account is None or json.loads(account).get("disabled"):
            return None  # the account was removed or disabled since the login
        return Principal(f"user:{found['user']}", Role(found["role"]))

    async def close(self, token: str) -> None:
        """End a session (logout)."""
        await self.redis.delete(keys.admin_session(self.corp_id, digest(token)))


class LoginThrottle:
    """Failed logins counted per account and per client address in a window; over the limit,
    logins wait until the window ends, right password or not."""

    def __init__(self, redis: Redis, corp_id: str, settings: AdminSettings) -> None:
        self.redis = redis
        self.corp_id = corp_id
        self.window = max(int(settings.login_window_minutes * 60), 1)
        self.limits = {
            "user": settings.login_max_failures,
            "ip": settings.login_max_failures_per_ip,
        }

    def _keys(self, name: str, address: str) -> dict[str, str]:
        return {
            kind: keys.admin_login_failures(self.corp_id, f"{kind}:{who}")
            for kind, who in (("user", name), ("ip", address))
        }

    async def wait_seconds(self, name: str, address: str) -> int:
        """0 if a login may be tried now, else how long until it may."""
        waits = []
        for kind, key in self._keys(name, address).items():
            failures = int(await self.redis.get(key) or 0)
            if failures >= self.limits[kind]:
                waits.append(max(int(await self.redis.ttl(key)), 1))
        return max(waits, default=0)

    async def failed(self, name: str, address: str) -> None:
        """Count one failed login."""
        for key in self._keys(name, address).values():
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.ttl(key)
                _, ttl = await pipe.execute()
            if int(ttl) < 0:  # the first failure starts the window (EXPIRE NX needs Redis 7)
                await self.redis.expire(key, self.window)

    async def succeeded(self, name: str) -> None:
        """Forget the account's failures (not the address's)."""
        await self.redis.delete(self._keys(name, "")["user"])
