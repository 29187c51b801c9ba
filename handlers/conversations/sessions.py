"""The bot's memory of each KF session: who holds it, fallbacks in a row, the reply window.

WeCom's sending rules (spec §3, unverified numbers, configurable in [kf]): kf/send_msg only
within 48 h of the customer's last message, and at most 5 replies per customer message.
Both are checked here, atomically, before every reply: a worker that answers late (a
backlog, an outage) does not reply outside the window, and two workers answering one
customer cannot go past the count together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from redis.asyncio import Redis

from bot.store import keys

SESSION_TTL_SECONDS: Final = 3 * 86400  # a session lasts 48 h; sync_msg covers 3 days

# KEYS: session; ARGV: the message's Unix time (s), ttl. The newest customer message opens
# a new reply window (replies back to 0; one in the same second too); an older one (read
# late) changes nothing.
_CUSTOMER_WROTE: Final = """
local last = tonumber(redis.call('HGET', KEYS[1], 'last_customer_at') or '0')
if tonumber(ARGV[1]) >= last then
  redis.call('HSET', KEYS[1], 'last_customer_at', ARGV[1], 'replies', 0)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
# KEYS: session; ARGV: now (s), window (s), max replies. 'ok', 'no_window' or 'reply_limit'.
_TAKE_REPLY: Final = """
local last = tonumber(redis.call('HGET', KEYS[1], 'last_customer_at') or '0')
if last == 0 or tonumber(ARGV[1]) - last > tonumber(ARGV[2]) then return 'no_window' end
if tonumber(redis.call('HGET', KEYS[1], 'replies') or '0') >= tonumber(ARGV[3]) then
  return 'reply_limit'
end
redis.call('HINCRBY', KEYS[1], 'replies', 1)
return 'ok'
"""


class Holder(StrEnum):
    """Who answers the customer now."""

    BOT = "bot"  # states 0/1: the API may reply
    POOL = "pool"  # state 2: waiting for a servicer
    HUMAN = "human"  # state 3: a servicer holds it


@dataclass(frozen=True, slots=True)
class SessionView:
    """The bot's memory of one session."""

    holder: Holder
    servicer: str
    fallbacks: int  # not-understood messages in a row
    since: int  # Unix s: the holder's since then (messages before it were to the previous one)


class KfSessions:
    """Sessions of one corp's KF customers."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._customer_wrote = redis.register_script(_CUSTOMER_WROTE)
        self._take_reply = redis.register_script(_TAKE_REPLY)

    def _key(self, open_kfid: str, customer: str) -> str:
        return keys.kf_session(self._corp_id, open_kfid, customer)

    async def view(self, open_kfid: str, customer: str) -> SessionView:
        """Who holds the session, its servicer, fallbacks in a row."""
        fields = await self._redis.hmget(
            self._key(open_kfid, customer), ["holder", "servicer", "fallbacks", "since"]
        )
        holder, servicer, fallbacks, since = (str(field) if field else "" for field in fields)
        return SessionView(
            Holder(holder or Holder.BOT), servicer, int(fallbacks or 0), int(since or 0)
        )

    async def hold(
        self, open_kfid: str, customer: str, holder: Holder, servicer: str = "", since: int = 0
    ) -> None:
        """Note who holds the session now, since when (fallbacks start over)."""
        key = self._key(open_kfid, customer)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "holder": holder.value,
                    "servicer": servicer,
                    "fallbacks": 0,
                    "since": since,
                },
            )
            pipe.expire(key, SESSION_TTL_SECONDS)
            await pipe.execute()

    async def fallback(self, open_kfid: str, customer: str) -> int:
        """One more message not understood: how many in a row now."""
        return int(await self._redis.hincrby(self._key(open_kfid, customer), "fallbacks", 1))

    async def understood(self, open_kfid: str, customer: str) -> None:
        """A message was understood: the fallback streak ends."""
        await self._redis.hset(self._key(open_kfid, customer), "fallbacks", 0)

    async def customer_wrote(self, open_kfid: str, customer: str, at: datetime) -> None:
        """The customer's message at ``at`` opens a reply window (if it is their newest)."""
        await self._customer_wrote(
            keys=[self._key(open_kfid, customer)], args=[int(at.timestamp()), SESSION_TTL_SECONDS]
        )

    async def take_reply(
        self, open_kfid: str, customer: str, now: datetime, window_seconds: float, max_replies: int
    ) -> str:
        """Count one reply if WeCom's rules allow it: 'ok', 'no_window' or 'reply_limit'."""
        answer = await self._take_reply(
            keys=[self._key(open_kfid, customer)],
            args=[int(now.timestamp()), int(window_seconds), max_replies],
        )
        return str(answer)

    async def note_tap(self, msgid: str, menu_id: str) -> None:
        """The customer's message ``msgid`` was a tap on menu item ``menu_id``."""
        await self._redis.set(
            keys.kf_menu_tap(self._corp_id, msgid), menu_id, ex=SESSION_TTL_SECONDS
        )

    async def tapped(self, msgid: str) -> str | None:
        """The menu item the message tapped, if it was a tap."""
        value = await self._redis.get(keys.kf_menu_tap(self._corp_id, msgid))
        return None if value is None else str(value)

    async def next_turn(self, open_kfid: str) -> int:
        """The account's next handoff number (round robin over servicers on duty)."""
        return int(await self._redis.incr(keys.kf_turn(self._corp_id, open_kfid)))
