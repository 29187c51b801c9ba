"""Workers: consume the event stream, dispatch, acknowledge after the handlers finish.

A consumer first re-runs what it left pending, then reads new entries. A janitor claims
entries other consumers left idle too long (a crashed process) and retries them; after
``max_deliveries`` failed deliveries an entry goes to the dead-letter stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass

from redis.exceptions import RedisError

from bot.deps import Deps
from bot.dispatch import Dispatcher, HandlerFailed
from bot.envelope import MalformedXML
from bot.events import (
    AnyEvent,
    Event,
    ExternalChatEvent,
    ExternalContactEvent,
    UnknownEvent,
    parse_event,
)
from bot.events.registry import event_from_compact
from bot.lanes import EXPRESS
from bot.metrics import Metrics
from bot.priority import LanePriority
from bot.queue import EventQueue, QueuedEvent
from bot.wecom.errors import RateLimited
from config.settings import QueueSettings

logger = logging.getLogger(__name__)

_REDIS_RETRY_SECONDS = 0.5
_CONSUMER_IDLE_MS = 3_600_000  # consumers of exited processes are forgotten after an hour


def consumer_name(index: int) -> str:
    """A consumer name unique to this process and task."""
    return f"{socket.gethostname()}-{os.getpid()}-{index}"


@dataclass(slots=True)
class Worker:
    """The consumers and the janitor of one process."""

    queue: EventQueue
    dispatcher: Dispatcher
    deps: Deps
    settings: QueueSettings
    metrics: Metrics
    priority: LanePriority | None = None  # shared by the process's lanes: express goes first

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; in-flight batches finish first."""
        await self.queue.ensure_group()
        async with asyncio.TaskGroup() as group:
            for index in range(self.settings.consumers):
                group.create_task(self._consume(consumer_name(index), stop))
            group.create_task(self._janitor(consumer_name(self.settings.consumers), stop))

    async def _consume(self, consumer: str, stop: asyncio.Event) -> None:
        backlog = True
        while not stop.is_set():
            try:
                if backlog:
                    batch = await self.queue.read_own_pending(consumer, self.settings.batch_size)
                    backlog = bool(batch)
                    deliveries = None
                else:
                    batch = await self.queue.read_new(
                        consumer, self.settings.batch_size, self.settings.block_ms
                    )
                    deliveries = 1
                await self.process_batch(batch, deliveries)
            except (RedisError, OSError) as exc:
                logger.warning("consumer %s: redis unavailable (%s); retrying", consumer, exc)
                await _sleep_unless(stop, _REDIS_RETRY_SECONDS)
            except Exception:  # a bug must not silently stop consumption; entries stay pending
                logger.exception("consumer %s failed; continuing", consumer)
                await _sleep_unless(stop, _REDIS_RETRY_SECONDS)

    async def _janitor(self, consumer: str, stop: asyncio.Event) -> None:
        idle_ms = int(self.settings.claim_idle_seconds * 1000)
        while not stop.is_set():
            try:
                await self.reclaim(consumer, idle_ms)
                await self.queue.release_due()
                await self.queue.prune_consumers(_CONSUMER_IDLE_MS)
            except (RedisError, OSError) as exc:
                logger.warning("janitor: redis unavailable (%s)", exc)
            except Exception:
                logger.exception("janitor failed; continuing")
            await _sleep_unless(stop, self.settings.janitor_interval_seconds)

    async def reclaim(self, consumer: str, idle_ms: int) -> int:
        """Claim and process entries idle for ``idle_ms``; how many were claimed."""
        claimed = await self.queue.claim_idle(consumer, idle_ms, self.settings.batch_size)
        await self.process_batch(claimed, None)
        return len(claimed)

    async def process_batch(self, batch: list[QueuedEvent], deliveries: int | None) -> None:
        """Run a batch: concurrently across subjects, in stream order within one subject.

        Events about one customer, group or member keep their order (an add before its
        delete); unrelated events do not wait for each other. Successes are acked together.
        """
        lanes: dict[str, list[tuple[QueuedEvent, AnyEvent | None]]] = {}
        for entry in batch:
            event = typed(entry)
            key = ordering_key(event) if event is not None else entry.entry_id
            lanes.setdefault(key, []).append((entry, event))
        done: list[str] = []

        async def run(lane: list[tuple[QueuedEvent, AnyEvent | None]]) -> None:
            for entry, event in lane:
                if await self._process(entry, event, deliveries):
                    done.append(entry.entry_id)

        await asyncio.gather(*(run(lane) for lane in lanes.values()))
        await self.queue.ack(*done)

    async def _process(
        self, entry: QueuedEvent, event: AnyEvent | None, deliveries: int | None
    ) -> bool:
        """Dispatch one entry; True if it should be acked, else it was kept or moved."""
        if deliveries is None:
            deliveries = await self.queue.deliveries(entry.entry_id)
        if deliveries > self.settings.max_deliveries:
            await self._bury(entry, deliveries, "delivered too often without success")
            return False
        if event is None:
            await self._bury(entry, deliveries, "unparseable")
            return False
        if isinstance(event, UnknownEvent):  # queued, never lost: an operator can add a type
            logger.warning(
                "unknown event MsgType=%s Event=%s (%s): %s",
                event.msg_type,
                event.event,
                event.dedup_key,
                event.reason,
            )
        try:
            handled = await self._dispatch(event)
        except HandlerFailed as failed:
            if isinstance(failed.cause, RateLimited):
                await self._defer(entry, failed.cause)
            else:
                await self._failed(entry, deliveries, str(failed))
            return False
        self.metrics.count_handled(entry.kind, "handled" if handled else "ignored")
        return True

    async def _dispatch(self, event: AnyEvent) -> bool:
        if self.priority is None:
            return await self.dispatcher.dispatch(event, self.deps)
        if self.queue.lane == EXPRESS:
            with self.priority.express():
                return await self.dispatcher.dispatch(event, self.deps)
        await self.priority.main_turn()
        return await self.dispatcher.dispatch(event, self.deps)

    async def _defer(self, entry: QueuedEvent, limited: RateLimited) -> None:
        delay = max(limited.retry_after, 0.1)
        logger.info(
            "event %s (%s) rate-limited on %s; retrying in %.0fs",
            entry.entry_id,
            entry.kind,
            limited.api,
            delay,
        )
        await self.queue.defer(entry, delay)
        self.metrics.count_handled(entry.kind, "deferred")

    async def _failed(self, entry: QueuedEvent, deliveries: int, error: str) -> None:
        self.metrics.count_handled(entry.kind, "failed")
        if deliveries >= self.settings.max_deliveries:
            await self._bury(entry, deliveries, error)
            return
        logger.warning(
            "event %s (%s) failed on delivery %d: %s", entry.entry_id, entry.kind, deliveries, error
        )
        await self.queue.record_failure(entry.entry_id, error)

    async def _bury(self, entry: QueuedEvent, deliveries: int, error: str) -> None:
        dead_id = await self.queue.dead_letter(entry, deliveries, error)
        self.metrics.count_handled(entry.kind, "dead_lettered")
        logger.error(
            "event %s (%s) dead-lettered as %s after %d deliveries: %s",
            entry.entry_id,
            entry.kind,
            dead_id,
            deliveries,
            error,
        )


def typed(entry: QueuedEvent) -> AnyEvent | None:
    """The entry's typed event: from the fields the gateway queued, else (entries queued
    before they were, or by siyu itself) by parsing the XML; None if neither can be read."""
    if entry.compact:
        try:
            return event_from_compact(entry.compact)
        except ValueError:  # damaged: the XML is still there
            pass
    try:
        return parse_event(entry.xml)
    except MalformedXML:  # cannot happen for what the gateway queued
        return None


def ordering_key(event: AnyEvent) -> str:
    """The subject whose events must be handled in order: a customer, a group or a member."""
    if isinstance(event, ExternalContactEvent):
        return f"customer:{event.external_user_id}"
    if isinstance(event, ExternalChatEvent):
        return f"chat:{event.chat_id}"
    if isinstance(event, Event) and event.from_user and event.from_user != "sys":
        return f"member:{event.from_user}"
    return f"event:{event.dedup_key}"


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stop`` is set, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
