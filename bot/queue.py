"""The durable event queue: a Redis stream per lane, one consumer group each, and a shared
dead-letter stream.

The gateway enqueues with one Lua call that checks the dedup key and XADDs atomically (to the
main lane, and to the express lane for events with a deadline: bot/lanes.py), so a callback
delivered three times, even concurrently, is queued once. Workers XACK (and XDEL) only after
their handlers finish; entries left pending by a crash are claimed again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from typing import Any, Final, cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.lanes import EXPRESS, LANES, MAIN
from bot.queue_commit import GroupCommit
from bot.store import keys

Entry = tuple[str, dict[str, str]]


def _entries(rows: Any) -> list[Entry]:  # redis-py replies are untyped
    """Stream rows as (id, fields); fields are empty for entries deleted while pending."""
    return [(str(entry_id), dict(fields or {})) for entry_id, fields in rows or []]


# KEYS: delayed zset, stream; ARGV: limit. Moves due entries back onto the stream.
_RELEASE_DUE: Final = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms, 'LIMIT', 0, ARGV[1])
for _, member in ipairs(due) do
  local fields = cjson.decode(member)
  local flat = {}
  for name, value in pairs(fields) do
    table.insert(flat, name)
    table.insert(flat, value)
  end
  redis.call('XADD', KEYS[2], '*', unpack(flat))
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """One stream entry: a decrypted callback and where it came from."""

    entry_id: str
    app: str
    kind: str
    dedup_key: str
    xml: str
    received_ms: int
    deferrals: int = 0
    compact: str = ""  # the fields as JSON (bot.events.registry.compact); '': parse ``xml``

    @classmethod
    def from_fields(cls, entry_id: str, fields: dict[str, str]) -> QueuedEvent:
        """Rebuild from the stream's field map."""
        return cls(
            entry_id=entry_id,
            app=fields.get("app", ""),
            kind=fields.get("kind", "unknown"),
            dedup_key=fields.get("dedup", ""),
            xml=fields.get("xml", ""),
            received_ms=int(fields.get("received_ms", "0") or 0),
            deferrals=int(fields.get("deferrals", "0") or 0),
            compact=fields.get("fields", ""),
        )

    def fields(self) -> dict[str, str]:
        """The stream field map."""
        return {
            "app": self.app,
            "kind": self.kind,
            "dedup": self.dedup_key,
            "xml": self.xml,
            "received_ms": str(self.received_ms),
            "deferrals": str(self.deferrals),
            **({"fields": self.compact} if self.compact else {}),
        }


@dataclass(frozen=True, slots=True)
class QueueStats:
    """What the gauges show."""

    length: int
    pending: int
    dead: int
    delayed: int = 0


class EventQueue:
    """One lane of the event queue of one corp (the main lane unless ``lane`` says otherwise)."""

    def __init__(
        self, redis: Redis, corp_id: str, dedup_ttl_seconds: int = 86400, lane: str = MAIN
    ) -> None:
        if lane not in LANES:
            raise ValueError(f"no lane {lane!r}: {LANES}")
        self.redis = redis
        self.lane = lane
        self.stream = keys.events(corp_id, lane)
        self.dead_stream = keys.dead_letters(corp_id)
        self._errors = keys.last_errors(corp_id, lane)
        self._corp_id = corp_id
        self._dedup_ttl = dedup_ttl_seconds
        self._delayed = keys.delayed_events(corp_id, lane)
        self._commit: GroupCommit | None = None  # built on first use, in the running loop
        self._release_due = redis.register_script(_RELEASE_DUE)

    def other_lanes(self) -> list[EventQueue]:
        """The corp's other lanes, on the same client."""
        return [
            EventQueue(self.redis, self._corp_id, self._dedup_ttl, lane)
            for lane in LANES
            if lane != self.lane
        ]

    async def ensure_group(self) -> None:
        """Create the consumer group of every lane (from its start) if it does not exist.

        Every lane, not just this one: the gateway copies entries to the express lane, which
        must be read by a group even before its workers first start.
        """
        for stream in (keys.events(self._corp_id, lane) for lane in LANES):
            try:
                await self.redis.xgroup_create(stream, keys.CONSUMER_GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def enqueue(
        self,
        app: str,
        kind: str,
        dedup_key: str,
        xml: str,
        *,
        express: bool = False,
        received_ms: int | None = None,
        event: str = "",
    ) -> str | None:
        """Queue a callback unless its dedup key was seen; the new (main) entry id, or None.

        ``express``: also copy it to the express lane (bot/lanes.py), in the same call.
        ``received_ms``: when the gateway accepted it (a spooled callback keeps its own time).
        ``event``: the message's fields as compact JSON, so workers need not parse ``xml``.
        """
        if self.lane != MAIN:
            raise ValueError("callbacks are queued on the main lane")
        received = received_ms if received_ms is not None else int(time.time() * 1000)
        if self._commit is None:
            self._commit = GroupCommit(
                self.redis, self.stream, keys.events(self._corp_id, EXPRESS), self._dedup_ttl
            )
        return await self._commit.enqueue(
            keys.dedup(self._corp_id, dedup_key),
            (app, kind, dedup_key, xml, received, "1" if express else "0", event),
        )

    async def read_new(self, consumer: str, count: int, block_ms: int) -> list[QueuedEvent]:
        """Entries never delivered to any consumer (blocks up to ``block_ms``)."""
        return await self._read(consumer, ">", count, block_ms)

    async def read_own_pending(self, consumer: str, count: int) -> list[QueuedEvent]:
        """Entries delivered to ``consumer`` earlier and not acknowledged."""
        return await self._read(consumer, "0", count, None)

    async def _read(
        self, consumer: str, start: str, count: int, block_ms: int | None
    ) -> list[QueuedEvent]:
        reply = await self.redis.xreadgroup(
            keys.CONSUMER_GROUP, consumer, {self.stream: start}, count=count, block=block_ms
        )
        entries: list[QueuedEvent] = []
        for _stream, stream_entries in cast(list[tuple[str, Any]], reply or []):
            for entry_id, fields in _entries(stream_entries):
                if fields:  # deleted while pending: nothing to run
                    entries.append(QueuedEvent.from_fields(entry_id, fields))
                else:
                    await self.redis.xack(self.stream, keys.CONSUMER_GROUP, entry_id)
        return entries

    async def claim_idle(self, consumer: str, min_idle_ms: int, count: int) -> list[QueuedEvent]:
        """Take over entries another consumer left pending for at least ``min_idle_ms``."""
        reply = await self.redis.xautoclaim(
            self.stream, keys.CONSUMER_GROUP, consumer, min_idle_ms, "0-0", count=count
        )
        entries: list[QueuedEvent] = []
        for entry_id, fields in _entries(reply[1]):
            if fields:
                entries.append(QueuedEvent.from_fields(entry_id, fields))
            else:  # Redis 6.2 returns deleted entries as nil: drop them from the PEL
                await self.redis.xack(self.stream, keys.CONSUMER_GROUP, entry_id)
        return entries

    async def prune_consumers(self, idle_ms: int) -> list[str]:
        """Forget consumers idle for ``idle_ms`` that hold nothing pending (exited processes)."""
        pruned: list[str] = []
        for consumer in await self.redis.xinfo_consumers(self.stream, keys.CONSUMER_GROUP):
            if int(consumer["pending"]) == 0 and int(consumer["idle"]) >= idle_ms:
                await self.redis.xgroup_delconsumer(
                    self.stream, keys.CONSUMER_GROUP, consumer["name"]
                )
                pruned.append(str(consumer["name"]))
        return pruned

    async def deliveries(self, entry_id: str) -> int:
        """How many times ``entry_id`` has been delivered (0 if it is not pending)."""
        rows = await self.redis.xpending_range(
            self.stream, keys.CONSUMER_GROUP, min=entry_id, max=entry_id, count=1
        )
        return int(rows[0]["times_delivered"]) if rows else 0

    async def ack(self, *entry_ids: str) -> None:
        """The handlers are done: forget the entries (one round trip for a batch)."""
        if not entry_ids:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, keys.CONSUMER_GROUP, *entry_ids)
            pipe.xdel(self.stream, *entry_ids)
            pipe.hdel(self._errors, *entry_ids)
            await pipe.execute()

    async def record_failure(self, entry_id: str, error: str) -> None:
        """Remember the last error of an entry that stays pending for a retry."""
        await self.redis.hset(self._errors, entry_id, error[:1000])

    async def defer(self, entry: QueuedEvent, delay_seconds: float) -> None:
        """Take an entry off the stream and put it back after ``delay_seconds``.

        For rate limits: waiting is not failing, so the delivery count starts afresh.
        """
        later = replace(entry, deferrals=entry.deferrals + 1)
        member = json.dumps(later.fields(), ensure_ascii=False, sort_keys=True)
        seconds, micros = await self.redis.time()
        due_ms = seconds * 1000 + micros // 1000 + int(delay_seconds * 1000)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._delayed, {member: due_ms})
            pipe.xack(self.stream, keys.CONSUMER_GROUP, entry.entry_id)
            pipe.xdel(self.stream, entry.entry_id)
            pipe.hdel(self._errors, entry.entry_id)
            await pipe.execute()

    async def release_due(self, limit: int = 100) -> int:
        """Put deferred entries whose time has come back on the stream; how many."""
        return int(await self._release_due(keys=[self._delayed, self.stream], args=[limit]))

    async def dead_letter(self, entry: QueuedEvent, deliveries: int, error: str) -> str:
        """Move an entry that failed too often to the dead-letter stream."""
        fields = {
            **entry.fields(),
            "original_id": entry.entry_id,
            "deliveries": str(deliveries),
            "error": error[:1000],
            "dead_at_ms": str(int(time.time() * 1000)),
            **({"lane": self.lane} if self.lane else {}),
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.dead_stream, fields)  # type: ignore[arg-type]
            pipe.xack(self.stream, keys.CONSUMER_GROUP, entry.entry_id)
            pipe.xdel(self.stream, entry.entry_id)
            pipe.hdel(self._errors, entry.entry_id)
            results = await pipe.execute()
        return str(results[0])

    async def peek(self, count: int = 100) -> list[Entry]:
        """The oldest entries still in the event stream (queued or pending)."""
        return _entries(await self.redis.xrange(self.stream, count=count))

    async def dead_entries(self, count: int = 100) -> list[Entry]:
        """The oldest dead letters with their fields."""
        return _entries(await self.redis.xrange(self.dead_stream, count=count))

    async def replay(self, dead_id: str) -> str | None:
        """Put a dead letter back on the lane it died in (no dedup check); the new id or None."""
        rows = _entries(await self.redis.xrange(self.dead_stream, min=dead_id, max=dead_id))
        if not rows:
            return None
        entry = QueuedEvent.from_fields(dead_id, rows[0][1])
        lane = rows[0][1].get("lane", MAIN)
        stream = keys.events(self._corp_id, lane if lane in LANES else MAIN)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(stream, entry.fields())  # type: ignore[arg-type]
            pipe.xdel(self.dead_stream, dead_id)
            results = await pipe.execute()
        return str(results[0])

    async def stats(self) -> QueueStats:
        """Over every lane: entries in the streams, pending in the groups, delayed; dead letters."""
        lanes = await self.lane_stats()
        return QueueStats(
            length=sum(lane.length for lane in lanes.values()),
            pending=sum(lane.pending for lane in lanes.values()),
            dead=next(iter(lanes.values())).dead,
            delayed=sum(lane.delayed for lane in lanes.values()),
        )

    async def lane_stats(self) -> dict[str, QueueStats]:
        """Each lane's stream length, pending and delayed entries ("main", "express"); the
        dead letters (shared by the lanes) in each. A group not created yet has none pending."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for lane in LANES:
                stream = keys.events(self._corp_id, lane)
                pipe.xlen(stream)
                pipe.xpending(stream, keys.CONSUMER_GROUP)
                pipe.zcard(keys.delayed_events(self._corp_id, lane))
            pipe.xlen(self.dead_stream)
            *per_lane, dead = await pipe.execute(raise_on_error=False)
        for reply in (*per_lane, dead):
            if isinstance(reply, Exception) and "NOGROUP" not in str(reply):
                raise reply
        stats: dict[str, QueueStats] = {}
        rows = zip(LANES, *[iter(per_lane)] * 3, strict=True)
        for lane, length, pending, delayed in rows:
            stats[lane or "main"] = QueueStats(
                length=int(length),
                dead=int(dead),
                delayed=int(delayed),
                pending=0 if isinstance(pending, Exception) else int(pending["pending"]),
            )
        return stats
