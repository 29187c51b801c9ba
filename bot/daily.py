"""Counts per local day, for operators (``GET /api/v1/stats/daily``): one Redis hash per corp
and day, field ``section|label`` (``welcomes|sent``, ``hits|contact_diversion``).

Two ways in. Effects a concern already guards with the ledger (adds, deletions) count in the
same transaction (``count_in``): exact. Everything the metrics count (welcomes, hits, intents,
tasks, reminders, groups) goes through ``DayCounts.add``: buffered in the process and added to
Redis (HINCRBY, so processes add up) every ``flush_seconds`` and at shutdown; a process killed
with SIGKILL loses at most its last interval of these counts, and a Redis outage keeps them in
memory until it ends. Nothing is counted twice that its call site counts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.store import keys

logger = logging.getLogger(__name__)

SEPARATOR: Final = "|"
TTL_SECONDS: Final = 400 * 86_400  # a year of days, and a month to compare it with
MAX_BUFFERED: Final = 10_000  # distinct (day, field) pairs kept through a long Redis outage

DayTable = dict[str, dict[str, int]]  # section → label → count


class DayCounter(Protocol):
    """What the metrics add to: a count under ``section`` and ``label`` for today."""

    def add(self, section: str, label: str, amount: int = 1) -> None:
        """Count ``amount`` more."""


class NoDayCounts:
    """The counter of a process without Redis (tests of the metrics alone): counts nothing."""

    def add(self, section: str, label: str, amount: int = 1) -> None:
        """Nothing to do."""


def day_of(moment: datetime, tz: ZoneInfo) -> str:
    """The local day of ``moment`` as YYYYMMDD."""
    return moment.astimezone(tz).strftime("%Y%m%d")


def field_of(section: str, label: str) -> str:
    """The hash field of a count."""
    return f"{section}{SEPARATOR}{label}"


def count_in(
    pipe: Pipeline, corp_id: str, day: str, counts: Iterable[tuple[str, str]], amount: int = 1
) -> None:
    """Queue ``amount`` more for each (section, label) of ``day`` in ``pipe`` (a transaction
    the caller's ledger guards)."""
    key = keys.daily_counts(corp_id, day)
    for section, label in counts:
        pipe.hincrby(key, field_of(section, label), amount)
    pipe.expire(key, TTL_SECONDS)


class DayCounts:
    """The buffered counter of one process for one corp."""

    def __init__(self, redis: Redis, corp_id: str, clock: Clock, tz: ZoneInfo) -> None:
        self._redis = redis
        self._corp_id = corp_id
        self._clock = clock
        self._tz = tz
        self._pending: Counter[tuple[str, str]] = Counter()  # (day, field) → amount

    def add(self, section: str, label: str, amount: int = 1) -> None:
        """Count ``amount`` more today (sent with the next flush)."""
        slot = (day_of(self._clock.now(), self._tz), field_of(section, label))
        if slot not in self._pending and len(self._pending) >= MAX_BUFFERED:
            logger.warning("day counts: buffer full, %s not counted", slot[1])
            return
        self._pending[slot] += amount

    @property
    def buffered(self) -> int:
        """How many counts wait for the next flush."""
        return len(self._pending)

    async def flush(self) -> None:
        """Add the buffered counts to Redis; kept for the next flush if Redis is away."""
        if not self._pending:
            return
        taken, self._pending = self._pending, Counter()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for (day, name), amount in taken.items():
                    pipe.hincrby(keys.daily_counts(self._corp_id, day), name, amount)
                for day in {day for day, _ in taken}:
                    pipe.expire(keys.daily_counts(self._corp_id, day), TTL_SECONDS)
                await pipe.execute()
        except (RedisError, OSError):
            taken.update(self._pending)  # counted meanwhile
            self._pending = taken
            raise


async def read_days(redis: Redis, corp_id: str, days: list[date]) -> dict[date, DayTable]:
    """Each day's counts, by section and label (a day nobody counted in: empty)."""
    async with redis.pipeline(transaction=False) as pipe:
        for day in days:
            pipe.hgetall(keys.daily_counts(corp_id, day.strftime("%Y%m%d")))
        rows: list[dict[str, str]] = await pipe.execute()
    tables: dict[date, DayTable] = {}
    for day, row in zip(days, rows, strict=True):
        table: DayTable = {}
        for name, value in row.items():
            section, _, label = str(name).partition(SEPARATOR)
            table.setdefault(section, {})[label] = int(value)
        tables[day] = table
    return tables


@contextlib.asynccontextmanager
async def flushing(counts: DayCounts, interval_seconds: float) -> AsyncIterator[None]:
    """Flush ``counts`` every ``interval_seconds`` while inside, and once more on the way out."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                await counts.flush()
            except (RedisError, OSError) as exc:
                logger.warning("day counts: redis unavailable (%s); kept for later", exc)

    task = asyncio.create_task(loop(), name="siyu-day-counts")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await counts.flush()
        except (RedisError, OSError) as exc:
            logger.warning(
                "day counts: %d lost at shutdown, redis unavailable (%s)", counts.buffered, exc
            )
