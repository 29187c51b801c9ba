"""Group tasks in Redis: the task, its calls and targets, senders' progress, per-target results.

A plan is written in one transaction (calls, targets, every target "unsent", state creating)
so a task is either unplanned or fully planned. Results are recorded by one Lua call that
also counts each newly sent target in its month, so a poll repeated after a crash counts
nothing twice. Ended tasks expire after ``tasks.keep_days``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import WatchError
from redis.typing import EncodableT, FieldT

from bot.store import keys
from handlers.tasks.codec import spec_from_json, spec_to_json
from handlers.tasks.model import Chunk, Exclusions, TaskSpec, TaskState
from handlers.tasks.records import (
    STATUS_NAMES,
    UNSENT,
    CallRecord,
    StaffRecord,
    TaskRecord,
    exclusions_from,
    exclusions_json,
)

REQUEST_TTL_SECONDS: Final = 86400
_NUMBERS: Final = (
    "created_at",
    "updated_at",
    "matched",
    "planned",
    "polled_at",
    "summary_at",
    "ended_at",
)

# KEYS: results, month; ARGV: month ttl s, cap, then target, status pairs.
# A target's status changes once per value: "sent" counts one send in its month, "capped"
# (WeCom says the target already got its quota) raises the month's count to the cap.
_RECORD: Final = """
local changed = 0
for i = 3, #ARGV, 2 do
  local target, status = ARGV[i], ARGV[i + 1]
  if redis.call('HGET', KEYS[1], target) ~= status then
    redis.call('HSET', KEYS[1], target, status)
    changed = changed + 1
    if status == '1' then
      redis.call('HINCRBY', KEYS[2], target, 1)
    elseif status == '3' then
      local seen = tonumber(redis.call('HGET', KEYS[2], target) or '0')
      if seen < tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], target, ARGV[2]) end
    end
  end
end
if changed > 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return changed
"""

# KEYS: task; ARGV: new state, now, then the states it may move from.
_MOVE: Final = """
local state = redis.call('HGET', KEYS[1], 'state')
for i = 3, #ARGV do
  if state == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updated_at', ARGV[2])
    return 1
  end
end
return 0
"""


class TaskStore:
    """The group tasks of one corp."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp = corp_id
        self._record = redis.register_script(_RECORD)
        self._move = redis.register_script(_MOVE)

    async def create(
        self, spec: TaskSpec, now: int, created_by: str = "", request_key: str = ""
    ) -> tuple[int, bool]:
        """Store a new task (state planning); (id, False) if ``request_key`` already made one."""
        if request_key:
            known = await self._redis.get(keys.task_request(self._corp, request_key))
            if known is not None:
                return int(known), False
        task_id = int(await self._redis.incr(keys.task_ids(self._corp)))
        if request_key:
            claimed = await self._redis.set(
                keys.task_request(self._corp, request_key), task_id, nx=True, ex=REQUEST_TTL_SECONDS
            )
            if not claimed:  # a concurrent twin won
                winner = await self._redis.get(keys.task_request(self._corp, request_key))
                return int(str(winner)), False
        fields: dict[FieldT, EncodableT] = {
            "spec": json.dumps(spec_to_json(spec), ensure_ascii=False),
            "state": TaskState.PLANNING.value,
            "created_at": now,
            "updated_at": now,
            "created_by": created_by,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.task(self._corp, task_id), mapping=fields)
            pipe.zadd(keys.tasks(self._corp), {str(task_id): now * 1000})
            pipe.sadd(keys.tasks_open(self._corp), str(task_id))
            await pipe.execute()
        return task_id, True

    async def get(self, task_id: int) -> TaskRecord | None:
        """A task, or None if unknown (or expired)."""
        stored = await self._redis.hgetall(keys.task(self._corp, task_id))
        if not stored:
            return None
        raw = {str(k): str(v) for k, v in stored.items()}
        numbers = {name: int(raw.get(name) or 0) for name in _NUMBERS}
        return TaskRecord(
            id=task_id,
            spec=spec_from_json(json.loads(raw["spec"])),
            state=TaskState(raw["state"]),
            created_by=raw.get("created_by", ""),
            exclusions=exclusions_from(raw.get("exclusions")),
            error=raw.get("error", ""),
            counts=json.loads(raw.get("counts") or "{}"),
            **numbers,
        )

    async def update(
        self, task_id: int, now: int, state: TaskState | None = None, **fields: EncodableT
    ) -> None:
        """Change a task's state or summary fields."""
        changes: dict[FieldT, EncodableT] = {"updated_at": now}
        changes.update(fields)
        if state is not None:
            changes["state"] = state.value
        await self._redis.hset(keys.task(self._corp, task_id), mapping=changes)

    async def save_plan(
        self, task_id: int, chunks: Sequence[Chunk], matched: int, exclusions: Exclusions, now: int
    ) -> bool:
        """Write the calls, their targets and every target as unsent; state becomes creating.

        False (nothing written) if the task left "planning" meanwhile (it was cancelled).
        """
        per_staff: dict[str, StaffRecord] = {}
        for chunk in chunks:
            known = per_staff.get(chunk.sender)
            per_staff[chunk.sender] = (
                StaffRecord(chunk.sender, chunk.size)
                if known is None
                else StaffRecord(chunk.sender, known.targets + chunk.size, known.calls + 1)
            )
        task_key = keys.task(self._corp, task_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            await pipe.watch(task_key)
            if await pipe.hget(task_key, "state") != TaskState.PLANNING.value:
                return False  # cancelled while it was being planned
            pipe.multi()  # type: ignore[no-untyped-call]
            for chunk in chunks:
                record = CallRecord(chunk.index, chunk.sender, chunk.size)
                pipe.hset(keys.task_chunks(self._corp, task_id), str(chunk.index), record.to_json())
                pipe.hset(
                    keys.task_targets(self._corp, task_id),
                    str(chunk.index),
                    json.dumps(chunk.targets),
                )
                results: dict[FieldT, EncodableT] = dict.fromkeys(chunk.targets, UNSENT)
                pipe.hset(keys.task_results(self._corp, task_id), mapping=results)
            for staff in per_staff.values():
                pipe.hset(keys.task_staff(self._corp, task_id), staff.userid, staff.to_json())
            pipe.hset(
                task_key,
                mapping={
                    "state": TaskState.CREATING.value,
                    "matched": matched,
                    "updated_at": now,
                    "planned": sum(c.size for c in chunks),
                    "exclusions": exclusions_json(exclusions),
                },
            )
            try:
                await pipe.execute()
            except WatchError:  # the task changed meanwhile (cancelled): nothing written
                return False
        return True

    async def move(
        self, task_id: int, now: int, to: TaskState, *, only_from: Iterable[TaskState]
    ) -> bool:
        """Change the state if it is one of ``only_from``; whether it changed."""
        allowed = [state.value for state in only_from]
        moved = await self._move(
            keys=[keys.task(self._corp, task_id)], args=[to.value, now, *allowed]
        )
        return bool(moved)

    async def calls(self, task_id: int) -> list[CallRecord]:
        """A task's add_msg_template calls, in order."""
        raw = await self._redis.hvals(keys.task_chunks(self._corp, task_id))
        return sorted((CallRecord.from_json(r) for r in raw), key=lambda c: c.index)

    async def put_call(self, task_id: int, call: CallRecord) -> None:
        """Record one call's new state."""
        await self._redis.hset(
            keys.task_chunks(self._corp, task_id), str(call.index), call.to_json()
        )

    async def targets(self, task_id: int, index: int) -> tuple[str, ...]:
        """The customers or groups of one call."""
        raw = await self._redis.hget(keys.task_targets(self._corp, task_id), str(index))
        return tuple(json.loads(raw)) if raw else ()

    async def staff(self, task_id: int) -> dict[str, StaffRecord]:
        """Each sender's progress."""
        raw = await self._redis.hgetall(keys.task_staff(self._corp, task_id))
        return {str(userid): StaffRecord.from_json(value) for userid, value in raw.items()}

    async def put_staff(self, task_id: int, staff: StaffRecord) -> None:
        """Record one sender's progress."""
        await self._redis.hset(keys.task_staff(self._corp, task_id), staff.userid, staff.to_json())

    async def record_results(
        self, task_id: int, statuses: Mapping[str, int], month: str, cap: int, month_ttl: int
    ) -> int:
        """Store targets' statuses; count new sends in ``month``. How many changed."""
        args: list[EncodableT] = [month_ttl, cap]
        for target, status in statuses.items():
            args.extend((target, str(status)))
        if len(args) == 2:  # noqa: PLR2004 - nothing but the two fixed arguments
            return 0
        month_key = keys.groupmsg_month(self._corp, month)
        return int(
            await self._record(keys=[keys.task_results(self._corp, task_id), month_key], args=args)
        )

    async def result_counts(self, task_id: int) -> dict[str, int]:
        """Targets per status name (unsent, sent, not_friend, capped)."""
        counted = Counter(
            int(v) for v in await self._redis.hvals(keys.task_results(self._corp, task_id))
        )
        return {name: counted.get(status, 0) for status, name in STATUS_NAMES.items()}

    async def results(self, task_id: int, targets: Iterable[str]) -> dict[str, int]:
        """The statuses of some targets."""
        wanted = list(targets)
        if not wanted:
            return {}
        found = await self._redis.hmget(keys.task_results(self._corp, task_id), wanted)
        return {t: int(v) for t, v in zip(wanted, found, strict=True) if v is not None}

    async def ids(self, limit: int = 50) -> list[int]:
        """The newest task ids, newest first."""
        raw = await self._redis.zrevrange(keys.tasks(self._corp), 0, max(limit - 1, 0))
        return [int(str(i)) for i in raw]

    async def open_ids(self) -> list[int]:
        """Tasks still planning, creating or being tracked."""
        return sorted(int(i) for i in await self._redis.smembers(keys.tasks_open(self._corp)))

    async def end(
        self, task_id: int, state: TaskState, now: int, keep_seconds: int, **fields: EncodableT
    ) -> None:
        """The task ended: it leaves the open set and its records expire in ``keep_seconds``."""
        changes: dict[FieldT, EncodableT] = {
            "state": state.value,
            "ended_at": now,
            "updated_at": now,
        }
        changes.update(fields)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.task(self._corp, task_id), mapping=changes)
            pipe.srem(keys.tasks_open(self._corp), str(task_id))
            for key in self._keys_of(task_id):
                pipe.expire(key, keep_seconds)
            await pipe.execute()

    async def forget_expired(self, task_ids: Iterable[int]) -> None:
        """Drop index entries of tasks whose records expired."""
        gone = [str(i) for i in task_ids]
        if gone:
            await self._redis.zrem(keys.tasks(self._corp), *gone)

    def _keys_of(self, task_id: int) -> list[str]:
        return [
            keys.task(self._corp, task_id),
            keys.task_chunks(self._corp, task_id),
            keys.task_targets(self._corp, task_id),
            keys.task_staff(self._corp, task_id),
            keys.task_results(self._corp, task_id),
        ]


class MonthlySends:
    """Group sends each customer or group received per local month (WeCom's cap, doc 92135)."""

    def __init__(self, redis: Redis, corp_id: str) -> None:
        self._redis = redis
        self._corp = corp_id

    async def counts(self, month: str, targets: Sequence[str]) -> dict[str, int]:
        """Sends this month of each of ``targets`` that received any."""
        found: dict[str, int] = {}
        key = keys.groupmsg_month(self._corp, month)
        for start in range(0, len(targets), 1000):
            batch = list(targets[start : start + 1000])
            values = await self._redis.hmget(key, batch)
            found |= {t: int(v) for t, v in zip(batch, values, strict=True) if v is not None}
        return found

    async def add(self, month: str, target: str, sends: int, ttl_seconds: int) -> None:
        """Count sends made outside siyu's tracking (an import, a test's set-up)."""
        key = keys.groupmsg_month(self._corp, month)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, target, sends)
            pipe.expire(key, ttl_seconds)
            await pipe.execute()
