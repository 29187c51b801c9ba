"""Scratch prototype: group commit of the gateway's enqueues, one Lua call per batch.

Every callback still gets its answer only once its own entry is in Redis, and each entry is
still queued atomically with its dedup key; what changes is that the callbacks arriving while
a call is in flight go together in the next one (one in flight at a time: at low load a batch
is one callback and nothing waits longer than today).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Final

from bot.lanes import EXPRESS
from bot.queue import EventQueue
from bot.store import keys

# KEYS: main stream, express stream, then one dedup key per event. ARGV: dedup ttl, then per
# event: app, kind, dedup, xml, received ms, 1 to copy to the express stream. Returns one id
# per event, "" for a duplicate.
_ENQUEUE_BATCH: Final = """
local ids = {}
for i = 3, #KEYS do
  local a = 2 + (i - 3) * 6
  if redis.call('EXISTS', KEYS[i]) == 1 then
    ids[#ids + 1] = ''
  else
    local id = redis.call('XADD', KEYS[1], '*', 'app', ARGV[a], 'kind', ARGV[a + 1],
                          'dedup', ARGV[a + 2], 'xml', ARGV[a + 3], 'received_ms', ARGV[a + 4])
    if ARGV[a + 5] == '1' then
      redis.call('XADD', KEYS[2], '*', 'app', ARGV[a], 'kind', ARGV[a + 1],
                 'dedup', ARGV[a + 2], 'xml', ARGV[a + 3], 'received_ms', ARGV[a + 4])
    end
    redis.call('SET', KEYS[i], id, 'EX', ARGV[1])
    ids[#ids + 1] = id
  end
end
return ids
"""
_MAX_BATCH: Final = 128


@dataclass(slots=True)
class _Waiting:
    keys: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    futures: list[asyncio.Future[str | None]] = field(default_factory=list)


class BatchEnqueuer:
    """``EventQueue.enqueue`` with group commit."""

    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue
        self._corp = queue._corp_id
        self._script = queue.redis.register_script(_ENQUEUE_BATCH)
        self._waiting = _Waiting()
        self._flushing: asyncio.Task[None] | None = None

    async def enqueue(self, app: str, kind: str, dedup: str, xml: str, express: bool) -> str | None:
        """Queue a callback unless its dedup key was seen; its entry id or None."""
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        waiting = self._waiting
        waiting.keys.append(keys.dedup(self._corp, dedup))
        waiting.args.extend(
            (app, kind, dedup, xml, int(time.time() * 1000), "1" if express else "0")
        )
        waiting.futures.append(future)
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting.futures:
                batch, self._waiting = self._waiting, _Waiting()
                await self._send(batch)
        finally:
            self._flushing = None

    async def _send(self, batch: _Waiting) -> None:
        stream, express = self._queue.stream, keys.events(self._corp, EXPRESS)
        try:
            ids = await self._script(
                keys=[stream, express, *batch.keys],
                args=[self._queue._dedup_ttl, *batch.args],
            )
        except Exception as exc:
            for future in batch.futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, entry_id in zip(batch.futures, ids, strict=True):
            if not future.done():
                future.set_result(str(entry_id) if entry_id else None)
