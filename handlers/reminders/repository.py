"""Reminders in Redis: one hash each, a due index, a per-staff index and prompt cards.

Every state change is one Lua call that checks the current state (and, for card actions, the
card) before writing, so two workers acting on one reminder cannot both win, and the indexes
always agree with the hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from redis.asyncio import Redis

from bot.store import keys
from handlers.reminders.records import WAITING, Reminder, State, sources_of

ENDED_TTL_SECONDS: Final = 30 * 86400  # done/cancelled/expired reminders stay visible 30 days
CARD_TTL_SECONDS: Final = 7 * 86400  # longer than a response code lives (72 h)

# KEYS: hash, due, staff, expiring. ARGV: from-states, new state, due_ms|"", expire_at|"",
# ended ttl, expected card|"", then field/value pairs.
_TRANSITION: Final = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state then allowed = true end
end
if not allowed then return 0 end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], 'card') ~= ARGV[6] then return 0 end
local id = redis.call('HGET', KEYS[1], 'id')
local new = ARGV[2]
redis.call('HSET', KEYS[1], 'state', new)
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'due_ms', ARGV[3]) end
local due = redis.call('HGET', KEYS[1], 'due_ms')
if new == 'pending' or new == 'snoozed' then
  redis.call('ZADD', KEYS[2], due, id)
  redis.call('ZADD', KEYS[3], due, id)
  redis.call('ZREM', KEYS[4], id)
elseif new == 'sent' then
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[3], due, id)
  if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], ARGV[4], id) end
else
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
return 1
"""

# One call arms a customer's reminders: cancel the pair's active ones whose source starts with
# a given prefix, then add the new ones (each once per its idempotency key) under the ids the
# caller took from the counter. A reminder an earlier call made under one of the new once-keys
# is kept, not cancelled: a redelivered event changes nothing. Every key is in KEYS (Redis
# Cluster): the caller read the pair's members first, and the script answers {-1} without a
# write when the pair has gained one since (the caller reads again).
# KEYS: due, staff, expiring, pair, the pair's reminder hashes (as read), then per new
# reminder: its hash, and its once key if it has one. ARGV: once ttl, ended ttl, pair ttl,
# cancel note, has pair 1|0, n members, n prefixes, the members' ids, the prefixes, then per
# reminder: id, has once 1|0, indexed 1|0, due ms, n field pairs, the pairs.
# Returns {cancelled, id1, made1, ...}.
_ARM: Final = """
local once_ttl, ended_ttl, pair_ttl, note = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local has_pair = ARGV[5] == '1'
local n_members, n_prefixes = tonumber(ARGV[6]), tonumber(ARGV[7])
local member_at = {}
for j = 1, n_members do member_at[ARGV[7 + j]] = 4 + j end
local first_prefix = 8 + n_members
local a, k = first_prefix + n_prefixes, 5 + n_members
local new, kept = {}, {}
while a <= #ARGV do
  local n_fields = tonumber(ARGV[a + 4])
  local r = {id = ARGV[a], at = k, indexed = ARGV[a + 2], due = ARGV[a + 3], first = a + 5,
             last = a + 4 + 2 * n_fields}
  k = k + 1
  if ARGV[a + 1] == '1' then
    r.once_at = k
    k = k + 1
    r.existing = redis.call('GET', KEYS[r.once_at])
    if r.existing then kept[r.existing] = true end
  end
  table.insert(new, r)
  a = r.last + 1
end
local cancelled = 0
if has_pair and n_prefixes > 0 then
  local members = redis.call('SMEMBERS', KEYS[4])
  for _, id in ipairs(members) do
    if not member_at[id] then return {-1} end
  end
  for _, id in ipairs(members) do
    local r = redis.call('HMGET', KEYS[member_at[id]], 'state', 'source')
    if not kept[id] and (r[1] == 'pending' or r[1] == 'sent' or r[1] == 'snoozed') then
      for p = first_prefix, first_prefix + n_prefixes - 1 do
        if string.sub(r[2], 1, #ARGV[p]) == ARGV[p] then
          redis.call('HSET', KEYS[member_at[id]], 'state', 'cancelled', 'note', note)
          redis.call('ZREM', KEYS[1], id)
          redis.call('ZREM', KEYS[2], id)
          redis.call('ZREM', KEYS[3], id)
          redis.call('EXPIRE', KEYS[member_at[id]], ended_ttl)
          cancelled = cancelled + 1
          break
        end
      end
    end
  end
end
local result = {cancelled}
for _, r in ipairs(new) do
  if r.existing then
    table.insert(result, tonumber(r.existing))
    table.insert(result, 0)
  else
    redis.call('HSET', KEYS[r.at], 'id', r.id, unpack(ARGV, r.first, r.last))
    if r.indexed == '1' then
      redis.call('ZADD', KEYS[1], r.due, r.id)
      redis.call('ZADD', KEYS[2], r.due, r.id)
    end
    if has_pair then redis.call('SADD', KEYS[4], r.id) end
    if r.once_at then redis.call('SET', KEYS[r.once_at], r.id, 'EX', once_ttl) end
    table.insert(result, tonumber(r.id))
    table.insert(result, 1)
  end
end
if has_pair then redis.call('EXPIRE', KEYS[4], pair_ttl) end
return result
"""

# KEYS: card, then reminder hashes. ARGV: task id, now ms, assignee, card ttl, then the ids.
# Claims, for one card, the reminders that are due, waiting and on no other card.
_CLAIM: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGET', KEYS[1], 'ids') end
local claimed = {}
for i = 2, #KEYS do
  local r = redis.call('HMGET', KEYS[i], 'state', 'due_ms', 'card', 'recurrence')
  if (r[1] == 'pending' or r[1] == 'snoozed') and tonumber(r[2]) <= tonumber(ARGV[2])
     and (not r[3] or r[3] == '') and (not r[4] or r[4] == '') then
    redis.call('HSET', KEYS[i], 'card', ARGV[1])
    table.insert(claimed, ARGV[i + 3])
  end
end
if #claimed == 0 then return '' end
local ids = table.concat(claimed, ',')
redis.call('HSET', KEYS[1], 'ids', ids, 'assignee', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return ids
"""


_PAIR_TTL_SECONDS = 400 * 86400  # a pair's reminder index outlives any SOP or rule
_ARM_TRIES: Final = 5  # reads of a pair that other writers keep growing, before giving up
ONCE_TTL_SECONDS: Final = 7 * 86400  # how long an idempotency key of an add is remembered
_BY_SCRIPT: Final = frozenset({"id"})  # numbered by the script
# Values a new reminder's hash leaves out: Reminder.from_hash reads a missing field as its
# default, and the scripts read a missing card as none. Fewer arguments to encode per add.
_DEFAULTS: Final = frozenset({"", "0", "{}"})


@dataclass(frozen=True, slots=True)
class Armed:
    """What one ``arm`` call did: the reminders it stored (or found) and what it cancelled."""

    reminders: tuple[tuple[Reminder, bool], ...]  # (reminder, True if created now)
    cancelled: int


@dataclass(frozen=True, slots=True)
class Card:
    """A prompt card: whom it went to and which reminders it carries."""

    task_id: str
    assignee: str
    ids: tuple[int, ...]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Mapping[Any, Any]) -> dict[str, str]:
    return {_text(name): _text(value) for name, value in raw.items()}


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


class ReminderRepository:
    """The reminders of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self.redis = redis
        self.corp_id = corp_id
        self._transition = redis.register_script(_TRANSITION)
        self._claim = redis.register_script(_CLAIM)
        self._arm = redis.register_script(_ARM)

    def _key(self, reminder_id: int) -> str:
        return keys.reminder(self.corp_id, reminder_id)

    async def add(
        self, reminder: Reminder, once: str = "", once_ttl_seconds: int = ONCE_TTL_SECONDS
    ) -> tuple[Reminder, bool]:
        """Store a new reminder (numbered now) and index it; True if it was created.

        ``once``: an idempotency key (the command's event, an SOP step): a second add under
        it returns the reminder the first one made.
        """
        armed = await self.arm(
            reminder.assignee,
            reminder.customer_id,
            [(reminder, once)],
            once_ttl_seconds=once_ttl_seconds,
        )
        return armed.reminders[0]

    async def arm(
        self,
        assignee: str,
        customer_id: str,
        new: Sequence[tuple[Reminder, str]],
        *,
        cancel: Sequence[str] = (),
        note: str = "",
        once_ttl_seconds: int = ONCE_TTL_SECONDS,
    ) -> Armed:
        """In one call: cancel the pair's active reminders whose source starts with one of
        ``cancel``, then add ``new`` (reminder, once-key) for ``assignee``, in that order.

        Every reminder in ``new`` must be ``assignee``'s and about ``customer_id`` ("" for
        none); a once-key already used returns the reminder it made instead of a new one, and
        that reminder is not cancelled (a redelivered event changes nothing).
        """
        for reminder, _ in new:
            if (reminder.assignee, reminder.customer_id) != (assignee, customer_id):
                raise ValueError(
                    f"reminder for {reminder.assignee}/{reminder.customer_id} "
                    f"armed as {assignee}/{customer_id}"
                )
        last_id = await self.redis.incrby(keys.reminder_ids(self.corp_id), len(new)) if new else 0
        ids = range(last_id - len(new) + 1, last_id + 1)
        pair = keys.reminders_of_pair(self.corp_id, assignee, customer_id)
        numbered = list(zip(new, ids, strict=True))
        for _ in range(_ARM_TRIES):
            members = await self.redis.smembers(pair) if customer_id and cancel else set()
            reply = await self._arm_once(
                assignee,
                customer_id,
                sorted(map(_text, members)),
                numbered,
                cancel=cancel,
                note=note,
                once_ttl_seconds=once_ttl_seconds,
            )
            if int(reply[0]) >= 0:
                break
        else:
            raise RuntimeError(f"the reminders of {assignee}/{customer_id} kept changing")
        results = [int(value) for value in reply]
        outcomes = [(results[i], results[i + 1] == 1) for i in range(1, len(results), 2)]
        existing = {r.id: r for r in await self.get_many(i for i, made in outcomes if not made)}
        stored = tuple(
            (reminder.with_id(reminder_id), True)
            if made
            else (existing.get(reminder_id, reminder.with_id(reminder_id)), False)
            for (reminder, _), (reminder_id, made) in zip(new, outcomes, strict=True)
        )
        return Armed(stored, results[0])

    async def _arm_once(
        self,
        assignee: str,
        customer_id: str,
        members: Sequence[str],
        new: Sequence[tuple[tuple[Reminder, str], int]],
        *,
        cancel: Sequence[str],
        note: str,
        once_ttl_seconds: int,
    ) -> list[Any]:
        """One _ARM call, every key it touches in KEYS; reply[0] is -1 if ``members`` (the
        pair's reminders as read) went stale."""
        script_keys = [
            keys.reminders_due(self.corp_id),
            keys.reminders_of(self.corp_id, assignee),
            keys.reminders_expiring(self.corp_id),
            keys.reminders_of_pair(self.corp_id, assignee, customer_id),
            *(self._key(int(member)) for member in members),
        ]
        args: list[str | int] = [
            once_ttl_seconds,
            ENDED_TTL_SECONDS,
            _PAIR_TTL_SECONDS,
            note,
            "1" if customer_id else "0",
            len(members),
            len(cancel),
            *members,
            *cancel,
        ]
        for (reminder, once), reminder_id in new:
            fields = {
                name: value
                for name, value in reminder.to_hash().items()
                if name not in _BY_SCRIPT and value not in _DEFAULTS
            }
            script_keys.append(self._key(reminder_id))
            if once:
                script_keys.append(keys.ledger(self.corp_id, f"reminder-once:{once}"))
            indexed = "1" if reminder.state in WAITING else "0"
            args += [reminder_id, "1" if once else "0", indexed, reminder.due_ms, len(fields)]
            args += [item for pair in fields.items() for item in pair]
        return list(await self._arm(keys=script_keys, args=args))

    async def of_pair(self, userid: str, external_userid: str) -> list[Reminder]:
        """The reminders about one customer of one staff member (any state), oldest first."""
        ids = await self.redis.smembers(
            keys.reminders_of_pair(self.corp_id, userid, external_userid)
        )
        return await self.get_many(sorted(int(_text(i)) for i in ids))

    async def get(self, reminder_id: int) -> Reminder | None:
        """One reminder, if it exists (ended ones vanish 30 days after they end)."""
        fields = await self.redis.hgetall(self._key(reminder_id))
        return Reminder.from_hash(_fields(fields)) if fields else None

    async def get_many(self, ids: Iterable[int]) -> list[Reminder]:
        """The reminders that exist among ``ids``, in that order."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for reminder_id in ids:
                pipe.hgetall(self._key(reminder_id))
            rows = await pipe.execute()
        return [Reminder.from_hash(_fields(fields)) for fields in rows if fields]

    async def transition(
        self,
        reminder: Reminder | int,
        target: State,
        *,
        due_ms: int | None = None,
        expire_at_ms: int | None = None,
        on_card: str = "",
        **fields: str,
    ) -> bool:
        """Move to ``target`` if the state machine allows it from the current state.

        ``on_card``: only if the reminder is carried by that card. True if it moved.
        """
        loaded = reminder if isinstance(reminder, Reminder) else await self.get(reminder)
        if loaded is None:
            return False
        pairs = [item for name, value in fields.items() for item in (name, value)]
        moved = await self._transition(
            keys=[
                self._key(loaded.id),
                keys.reminders_due(self.corp_id),
                keys.reminders_of(self.corp_id, loaded.assignee),
                keys.reminders_expiring(self.corp_id),
            ],
            args=[
                ",".join(sorted(sources_of(target))),
                target.value,
                "" if due_ms is None else due_ms,
                "" if expire_at_ms is None else expire_at_ms,
                ENDED_TTL_SECONDS,
                on_card,
                *pairs,
            ],
        )
        return bool(moved)

    async def active_of(self, userid: str) -> list[Reminder]:
        """A staff member's pending, sent and snoozed reminders, soonest first."""
        ids = await self.redis.zrange(keys.reminders_of(self.corp_id, userid), 0, -1)
        return await self.get_many(int(_text(i)) for i in ids)

    async def due_of(self, userid: str, until_ms: int) -> list[int]:
        """Ids of a staff member's reminders due by ``until_ms`` (any active state)."""
        ids = await self.redis.zrangebyscore(
            keys.reminders_of(self.corp_id, userid), "-inf", until_ms
        )
        return [int(_text(i)) for i in ids]

    async def claim_card(
        self, task_id: str, assignee: str, ids: Sequence[int], now_ms: int
    ) -> Card | None:
        """Put the due, waiting reminders among ``ids`` on card ``task_id`` (once).

        A card claimed before (a redelivered event) keeps what it first claimed, so a repeat
        send has the same content and WeCom's duplicate check drops it.
        """
        claimed = await self._claim(
            keys=[keys.reminder_card(self.corp_id, task_id), *(self._key(i) for i in ids)],
            args=[task_id, now_ms, assignee, CARD_TTL_SECONDS, *ids],
        )
        found = _ids(str(claimed or ""))
        return Card(task_id, assignee, found) if found else None

    async def card(self, task_id: str) -> Card | None:
        """The card ``task_id``, while it is remembered (7 days)."""
        raw = await self.redis.hgetall(keys.reminder_card(self.corp_id, task_id))
        if not raw:
            return None
        fields = _fields(raw)
        return Card(task_id, fields.get("assignee", ""), _ids(fields.get("ids", "")))

    async def recent(self, limit: int = 100) -> list[Reminder]:
        """The newest reminders (any state), newest first."""
        newest = int(await self.redis.get(keys.reminder_ids(self.corp_id)) or 0)
        return await self.get_many(range(newest, max(newest - limit, 0), -1))

    async def expiring(self, until_ms: int, limit: int) -> list[int]:
        """Sent reminders whose time to be acted on ran out by ``until_ms``."""
        ids = await self.redis.zrangebyscore(
            keys.reminders_expiring(self.corp_id), "-inf", until_ms, start=0, num=limit
        )
        return [int(_text(i)) for i in ids]

    async def waiting(self) -> int:
        """How many reminders wait in the due index."""
        return int(await self.redis.zcard(keys.reminders_due(self.corp_id)))
