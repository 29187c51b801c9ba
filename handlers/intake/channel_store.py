"""Channels in Redis: their live codes, daily statistics and round-robin credits.

Statistics are per channel per local day (the corp's time zone): adds (also per staff
member, which the daily caps read), deletions by the customer, deletions by staff. Net
growth is derived. Counting is guarded by the idempotency ledger so a redelivered event
counts once: an add in one Lua call, a deletion queued inside ``Ledger.apply_once``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Final

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bot.store import keys
from bot.store.ledger import DEFAULT_TTL_SECONDS

ADDS: Final = "adds"
BY_CUSTOMER: Final = "deleted_by_customer"
BY_STAFF: Final = "deleted_by_staff"
_STAFF_ADDS: Final = "adds:"

# The ledger's apply_once for one add, in one round trip instead of three. KEYS: ledger key,
# day hash, credits hash; ARGV: ledger TTL, day TTL, the member's adds field, low, high,
# then (userid, delta) pairs. 1: counted now; 0: counted before (a redelivery).
_COUNT_ADD_ONCE: Final = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[2], 'adds', 1)
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('EXPIRE', KEYS[2], ARGV[2])
local low, high = tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 6, #ARGV, 2 do
  local value = tonumber(redis.call('HINCRBYFLOAT', KEYS[3], ARGV[i], ARGV[i + 1]))
  if value < low then redis.call('HSET', KEYS[3], ARGV[i], low) end
  if value > high then redis.call('HSET', KEYS[3], ARGV[i], high) end
end
return 1
"""


@dataclass(frozen=True, slots=True)
class ChannelCode:
    """A channel's live code as WeCom made it, and the user list it carries now."""

    channel_id: str
    config_id: str
    qr_code: str
    users: tuple[str, ...]
    state: str
    created_at: int

    def to_json(self) -> str:
        """As stored."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ChannelCode:
        """From the stored JSON."""
        data = json.loads(text)
        data["users"] = tuple(data["users"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class DayStats:
    """One channel's counters on one local day."""

    day: str  # YYYYMMDD
    adds: int = 0
    deleted_by_customer: int = 0
    deleted_by_staff: int = 0
    adds_by_staff: Mapping[str, int] = field(default_factory=dict)

    @property
    def net(self) -> int:
        """Net growth: adds minus deletions by either side."""
        return self.adds - self.deleted_by_customer - self.deleted_by_staff


class ChannelCodes:
    """The live codes of one corp's channels."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._key = keys.channel_codes(corp_id)

    async def get(self, channel_id: str) -> ChannelCode | None:
        """A channel's code, if it was created."""
        raw = await self._redis.hget(self._key, channel_id)
        return None if raw is None else ChannelCode.from_json(str(raw))

    async def all(self) -> dict[str, ChannelCode]:
        """Every channel's code."""
        stored = await self._redis.hgetall(self._key)
        return {str(name): ChannelCode.from_json(str(raw)) for name, raw in stored.items()}

    async def put(self, code: ChannelCode) -> None:
        """Store (or replace) a channel's code."""
        await self._redis.hset(self._key, code.channel_id, code.to_json())

    async def delete(self, channel_id: str) -> None:
        """Forget a channel's code."""
        await self._redis.hdel(self._key, channel_id)


class ChannelStats:
    """Daily counters and allocation credits of one corp's channels."""

    def __init__(self, redis: Redis, corp_id: str, ttl_days: int = 400) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._ttl_seconds = ttl_days * 86400
        self._count_add_once = redis.register_script(_COUNT_ADD_ONCE)

    def _day_key(self, channel_id: str, day: str) -> str:
        return keys.channel_day(self._corp_id, channel_id, day)

    async def count_add_once(
        self,
        effect_key: str,
        channel_id: str,
        day: str,
        userid: str,
        *,
        changes: Mapping[str, float],
        bounds: tuple[float, float],
    ) -> bool:
        """Count one add and its credit changes unless ``effect_key`` is in the ledger.

        The effect of ``Ledger.apply_once`` (same ledger key and TTL), in one Lua call:
        the day's adds and the member's, and the credits kept within ``bounds``. True if
        counted now.
        """
        pairs: list[str | float] = [item for u, d in changes.items() for item in (u, d)]
        counted = await self._count_add_once(
            keys=[
                keys.ledger(self._corp_id, effect_key),
                self._day_key(channel_id, day),
                keys.channel_credits(self._corp_id, channel_id),
            ],
            args=[
                DEFAULT_TTL_SECONDS,
                self._ttl_seconds,
                f"{_STAFF_ADDS}{userid}",
                bounds[0],
                bounds[1],
                *pairs,
            ],
        )
        return bool(counted)

    def count_deletion(self, pipe: Pipeline, channel_id: str, day: str, by_customer: bool) -> None:
        """Queue one deletion (by the customer, or by the staff member) on ``day``."""
        key = self._day_key(channel_id, day)
        pipe.hincrby(key, BY_CUSTOMER if by_customer else BY_STAFF, 1)
        pipe.expire(key, self._ttl_seconds)

    async def day(self, channel_id: str, day: str) -> DayStats:
        """The counters of one day."""
        stored = await self._redis.hgetall(self._day_key(channel_id, day))
        return _day_stats(day, {str(name): str(value) for name, value in stored.items()})

    async def days(
        self, channel_ids: Sequence[str], days: Sequence[str]
    ) -> dict[str, list[DayStats]]:
        """The counters of ``days`` for each channel, in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel_id in channel_ids:
                for day in days:
                    pipe.hgetall(self._day_key(channel_id, day))
            stored = iter(await pipe.execute())
        return {
            channel_id: [
                _day_stats(day, {str(k): str(v) for k, v in next(stored).items()}) for day in days
            ]
            for channel_id in channel_ids
        }

    async def adds_by_staff(self, channel_id: str, day: str) -> dict[str, int]:
        """Adds per staff member through the channel on ``day`` (what caps count)."""
        return dict((await self.day(channel_id, day)).adds_by_staff)

    async def credits(self, channel_id: str) -> dict[str, float]:
        """The round-robin credits of the channel's members."""
        stored = await self._redis.hgetall(keys.channel_credits(self._corp_id, channel_id))
        return {str(userid): float(value) for userid, value in stored.items()}


def _day_stats(day: str, stored: Mapping[str, str]) -> DayStats:
    return DayStats(
        day=day,
        adds=int(stored.get(ADDS, 0)),
        deleted_by_customer=int(stored.get(BY_CUSTOMER, 0)),
        deleted_by_staff=int(stored.get(BY_STAFF, 0)),
        adds_by_staff={
            name.removeprefix(_STAFF_ADDS): int(value)
            for name, value in stored.items()
            if name.startswith(_STAFF_ADDS)
        },
    )


@dataclass(frozen=True, slots=True)
class ChannelView:
    """What allocation reads about a channel, fetched in one round trip."""

    code: ChannelCode | None
    adds_by_staff: Mapping[str, int]
    credits: Mapping[str, float]
    rebalancing: bool  # another process holds the channel's rebalance lock
    relation_since: int | None = None  # createtime of the relation asked about, if known

    def after_add(
        self, userid: str, changes: Mapping[str, float], bounds: tuple[float, float]
    ) -> ChannelView:
        """The view once one more add to ``userid`` (with its credit changes) is counted."""
        adds = {**self.adds_by_staff, userid: self.adds_by_staff.get(userid, 0) + 1}
        credits = dict(self.credits)
        for member, delta in changes.items():
            credits[member] = min(bounds[1], max(bounds[0], credits.get(member, 0.0) + delta))
        return replace(self, adds_by_staff=adds, credits=credits)


async def channel_view(
    redis: Redis, corp_id: str, channel_id: str, day: str, relation: tuple[str, str] | None = None
) -> ChannelView:
    """The channel's code, ``day``'s adds per member, credits and lock in one pipeline; with
    ``relation`` (external_userid, userid), also when that relation began."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hget(keys.channel_codes(corp_id), channel_id)
        pipe.hgetall(keys.channel_day(corp_id, channel_id, day))
        pipe.hgetall(keys.channel_credits(corp_id, channel_id))
        pipe.exists(keys.channel_rebalance_lock(corp_id, channel_id))
        if relation is not None:
            pipe.hget(keys.customer_relations(corp_id, relation[0]), relation[1])
        code, day_fields, credits, locked, *related = await pipe.execute()
    since = json.loads(related[0]).get("createtime") if related and related[0] else None
    return ChannelView(
        code=None if code is None else ChannelCode.from_json(str(code)),
        adds_by_staff=dict(_day_stats(day, day_fields).adds_by_staff),
        credits={str(userid): float(value) for userid, value in credits.items()},
        rebalancing=bool(locked),
        relation_since=int(since) if since else None,
    )
