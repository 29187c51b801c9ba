"""Replaying the spool into Redis, in order, through the queue's one dedup-checked call.

A background task of every process: it drains this process's spool once Redis answers
again, and adopts the segments of processes that died (their flock is gone). A record
enqueued twice (a crash between its enqueue and the segment's deletion) is dropped by its
dedup key, exactly as a WeCom retry is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from redis.exceptions import RedisError

from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.spool import Spool, SpooledCallback, unframe

logger = logging.getLogger(__name__)


class Replayer:
    """Moves spooled callbacks into the queue; remembers how far each segment got."""

    def __init__(self, spool: Spool, queue: EventQueue, metrics: Metrics) -> None:
        self.spool = spool
        self.queue = queue
        self.metrics = metrics
        self._done: dict[Path, int] = {}  # segment → bytes already enqueued (this process)

    async def replay(self) -> int:
        """Replay every segment this process may take; how many records were enqueued.

        Raises RedisError/OSError when Redis is still away (progress so far is kept).
        """
        if not self.spool.pending and not self.spool.segments():
            return 0
        await self.queue.redis.ping()  # still away: keep appending to the same segment
        await self.spool.rotate()
        count = 0
        for path in self.spool.segments():
            fd = await asyncio.to_thread(self.spool.take, path)
            if fd is None:
                continue
            try:
                count += await self._replay_segment(path, fd)
            except BaseException:
                self.spool.keep(path, fd)  # part way: the lock stays ours for the next try
                raise
            os.close(fd)
        return count

    async def _replay_segment(self, path: Path, fd: int) -> int:
        data = await asyncio.to_thread(_read_all, fd)
        records, intact = unframe(data)
        if intact < len(data):
            logger.warning(
                "spool segment %s: %d damaged bytes at its end skipped",
                path.name,
                len(data) - intact,
            )
        start = self._done.get(path, 0)
        previous = start
        count = 0
        for index, (end, payload) in enumerate(records):
            if end <= start:
                continue
            try:
                record = SpooledCallback.decode(payload)
            except (ValueError, KeyError, TypeError):  # checksum fine, content not ours
                logger.warning("spool segment %s: an unreadable record skipped", path.name)
            else:
                await self._enqueue(record)
                count += 1
            self._done[path] = end
            following = records[index + 1][1] if index + 1 < len(records) else None
            self.spool.replayed(
                path, end - previous + _tail(intact, len(data), following), _received(following)
            )
            previous = end
        await asyncio.to_thread(path.unlink, True)
        self._done.pop(path, None)
        self.spool.finished(path)
        return count

    async def _enqueue(self, record: SpooledCallback) -> None:
        entry_id = await self.queue.enqueue(
            record.app,
            record.kind,
            record.dedup_key,
            record.xml,
            express=record.express,
            received_ms=record.received_ms,
            event=record.event,
        )
        self.metrics.spool_replayed.labels(result="queued" if entry_id else "duplicate").inc()


def _tail(intact: int, total: int, following: bytes | None) -> int:
    """The damaged tail counts as replayed with the last record (it is dropped then)."""
    return total - intact if following is None else 0


def _received(payload: bytes | None) -> int | None:
    if payload is None:
        return None
    try:
        return SpooledCallback.decode(payload).received_ms
    except (ValueError, KeyError, TypeError):
        return None


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


@contextlib.asynccontextmanager
async def replaying(replayer: Replayer, interval_seconds: float) -> AsyncIterator[None]:
    """Run the replayer in the background: at once, on every append, and every interval."""
    stop = asyncio.Event()
    task = asyncio.create_task(_run(replayer, interval_seconds, stop), name="siyu-spool-replay")
    try:
        yield
    finally:
        stop.set()
        replayer.spool.appended.set()
        await task
        replayer.spool.close()


async def _run(replayer: Replayer, interval_seconds: float, stop: asyncio.Event) -> None:
    failing = False
    while not stop.is_set():
        replayer.spool.appended.clear()
        try:
            replayed = await replayer.replay()
        except (RedisError, OSError) as exc:
            if not failing:  # once per outage, not once per try
                logger.warning("spool replay waits for Redis (%s)", type(exc).__name__)
            failing = True
        except Exception:  # a bug must not stop the replay for good
            logger.exception("spool replay failed; trying again")
        else:
            if replayed:
                logger.info("spool: %d callbacks replayed into the queue", replayed)
            failing = False
        # Redis away: retry every interval (an append must not turn the retry into a spin)
        wake = stop if failing else replayer.spool.appended
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval_seconds)
