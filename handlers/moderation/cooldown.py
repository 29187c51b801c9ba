"""Prompt cooldowns: one prompt per (staff member, customer, intent) per cooldown period.

The mark holds the message that took it and until when it holds, on siyu's clock (the
injected one: tests and the demo move time). The message that took a mark may take it
again: a redelivered message whose prompt did not go out yet is not blocked by itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from redis.asyncio import Redis

from bot.store import keys

# KEYS: the mark; ARGV: message key, now, until, ttl seconds. 1: taken, 0: cooling down.
_TAKE: Final = """
local held = redis.call('GET', KEYS[1])
if held then
  local owner, untl = string.match(held, '^(.*)|(%d+)$')
  if owner == ARGV[1] then return 1 end
  if untl and tonumber(untl) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'EX', ARGV[4])
return 1
"""


class Cooldowns:
    """The prompt cooldowns of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._corp_id = corp_id
        self._take = redis.register_script(_TAKE)

    async def take(
        self,
        userid: str,
        customer: str,
        intent: str,
        message_key: str,
        *,
        now: datetime,
        seconds: float,
    ) -> bool:
        """True if ``userid`` may be prompted about ``customer``'s ``intent`` now."""
        if seconds <= 0:
            return True
        start = int(now.timestamp())
        until = start + int(seconds)
        taken = await self._take(
            keys=[keys.intent_prompted(self._corp_id, userid, customer, intent)],
            args=[message_key, start, until, max(1, int(seconds))],
        )
        return bool(taken)
