"""Leader election around APScheduler: stand by, lead while holding the lease, stop at once
when deposed.

The leader's AsyncIOScheduler has three jobs (the reminders poll, the lease renewal and the
minute tick), all with ``coalesce=True`` (a poll that missed
several runs — a stalled loop, a suspended VM — runs once, not N times) and a misfire grace
(``reminders.misfire_grace_seconds``) so a late run still happens rather than being dropped
(APScheduler's default grace is 1 s). Reminders themselves never misfire: they wait in the
due index until some leader moves them, however late, and are then marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.events.ticks import enqueue_minute_tick
from bot.queue import EventQueue
from config.settings import Settings
from scheduler.lease import Lease
from scheduler.ticker import Deposed, DueTicker

logger = logging.getLogger(__name__)


def holder_name() -> str:
    """This process, as named in the lease."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(slots=True)
class SchedulerRunner:
    """Stands by or leads the reminders scheduler of one corp."""

    settings: Settings
    redis: Redis
    queue: EventQueue
    clock: Clock
    holder: str = field(default_factory=holder_name)
    leading: asyncio.Event = field(default_factory=asyncio.Event)
    terms: int = 0  # how many times this process became leader

    def _lease(self) -> Lease:
        return Lease(
            self.redis,
            self.settings.wecom.corp_id,
            self.holder,
            self.settings.reminders.lease_seconds,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: try for the lease; lead while it holds."""
        lease = self._lease()
        standby = min(self.settings.reminders.renew_seconds, self.settings.reminders.poll_seconds)
        while not stop.is_set():
            try:
                token = await lease.acquire()
            except (RedisError, OSError) as exc:
                logger.warning("scheduler: redis unavailable (%s)", exc)
                token = None
            if token is not None:
                await self._lead(lease, token, stop)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=standby)

    async def _lead(self, lease: Lease, token: int, stop: asyncio.Event) -> None:
        self.terms += 1
        logger.info("scheduler: %s leads (fencing token %d)", self.holder, token)
        deposed = asyncio.Event()
        ticker = DueTicker(
            self.redis,
            self.queue,
            self.settings.wecom.corp_id,
            self.clock,
            app=self.settings.reminders.app,
            batch_size=self.settings.reminders.batch_size,
        )
        async with self._aps(ticker, lease, token, deposed):
            self.leading.set()
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(deposed.wait())]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waits:
                    waiter.cancel()
                self.leading.clear()
        if deposed.is_set():
            logger.warning("scheduler: %s was deposed (token %d); standing by", self.holder, token)
        else:
            with contextlib.suppress(RedisError, OSError):
                await lease.release()

    async def _minute_tick(self) -> None:
        """Queue the minute's tick: in a worker, group tasks and groups do their periodic work
        (progress, laggards, digests), live codes follow shift changes and churn digests go
        out; a deposed leader's repeat is dropped by its dedup key."""
        try:
            await enqueue_minute_tick(
                self.queue, self.settings.wecom.corp_id, self.settings.tasks.app, self.clock.now()
            )
        except (RedisError, OSError) as exc:
            logger.warning("scheduler minute tick: redis unavailable (%s)", exc)

    @contextlib.asynccontextmanager
    async def _aps(
        self, ticker: DueTicker, lease: Lease, token: int, deposed: asyncio.Event
    ) -> AsyncIterator[AsyncIOScheduler]:
        """APScheduler with the poll and renewal jobs; shut down (not waiting) on exit."""
        config = self.settings.reminders
        tz = ZoneInfo(self.settings.timezone)
        aps = AsyncIOScheduler(
            timezone=tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": config.misfire_grace_seconds,
            },
        )
        renewed = {"at": time.monotonic()}

        async def poll() -> None:
            try:
                await ticker.tick(token)
            except Deposed:
                deposed.set()
            except (RedisError, OSError) as exc:
                logger.warning("scheduler poll: redis unavailable (%s)", exc)

        async def renew() -> None:
            try:
                if not await lease.renew():
                    deposed.set()
                    return
                renewed["at"] = time.monotonic()
            except (RedisError, OSError) as exc:
                logger.warning("scheduler lease renewal failed (%s)", exc)
                if time.monotonic() - renewed["at"] >= config.lease_seconds:
                    deposed.set()  # cannot prove we still hold it: stop leading

        first = datetime.now(tz)
        aps.add_job(
            _ends_quietly(poll),
            IntervalTrigger(seconds=config.poll_seconds),
            id="reminders-poll",
            next_run_time=first,
        )
        tick_seconds = self.settings.tasks.tick_seconds
        if tick_seconds > 0:
            aps.add_job(
                _ends_quietly(self._minute_tick),
                IntervalTrigger(seconds=tick_seconds),
                id="minute-tick",
                next_run_time=first,
            )
        aps.add_job(
            _ends_quietly(renew), IntervalTrigger(seconds=config.renew_seconds), id="lease-renew"
        )
        aps.start()
        try:
            yield aps
        finally:
            aps.shutdown(wait=False)


def _ends_quietly(job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """A job that, cancelled by the scheduler's shutdown mid-run, just ends.

    APScheduler logs a cancelled coroutine job as a failure with a traceback; stopping while
    a poll is in flight is normal (SIGTERM, a lost lease), so it is noted at DEBUG instead.
    """

    @functools.wraps(job)
    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            logger.debug("scheduler job %s stopped by shutdown", job.__name__)

    return run


@contextlib.asynccontextmanager
async def leader_elected_scheduler(
    settings: Settings, redis: Redis, queue: EventQueue, clock: Clock
) -> AsyncIterator[SchedulerRunner]:
    """Run the scheduler (standing by or leading) for the duration of the block."""
    runner = SchedulerRunner(settings, redis, queue, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop), name="siyu-scheduler")
    try:
        yield runner
    finally:
        stop.set()
        await task
