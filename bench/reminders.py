"""``siyu bench reminders``: the scheduler with many pending reminders, against APScheduler's
own RedisJobStore (one job per reminder) in the same run.

siyu: ``pending`` reminders far in the future sit in the due index; we measure the time for a
scheduler to win the lease and run its first poll (start-up), the process's memory, Redis's
memory, then ``rate`` reminders/s fall due for ``seconds`` while the leader polls: lateness is
the stream entry's time minus the due time. Baseline: APScheduler 3 AsyncIOScheduler with a
RedisJobStore holding one job per reminder: add rate, start-up, memory, and lateness of its
jobs firing, at sizes growing tenfold until a size takes longer than the time box.
"""

from __future__ import annotations

import asyncio
import json
import resource
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, Final, cast

from bot.clock import SystemClock
from bot.queue import EventQueue
from bot.store import keys
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis
from config.settings import Settings
from scheduler.runner import SchedulerRunner

FAR_FUTURE_MS: Final = 4_102_444_800_000  # 2100-01-01
_FILL_CHUNK: Final = 20_000
_APS_SIZES: Final = (10_000, 100_000, 1_000_000)
_APS_TIME_BOX_SECONDS: Final = 120.0


def _rss_mb() -> float:
    """Resident memory of this process now (MiB; Linux), else its peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _fill(
    url: str, corp: str, count: int, due_ms: int, *, spread_ms: int, start: int
) -> None:
    redis = connect(url, 30.0)
    try:
        for first in range(start, start + count, _FILL_CHUNK):
            async with redis.pipeline(transaction=False) as pipe:
                for rid in range(first, min(first + _FILL_CHUNK, start + count)):
                    due = due_ms + (rid - start) * spread_ms // max(count, 1)
                    pipe.hset(
                        keys.reminder(corp, rid),
                        mapping={
                            "id": rid,
                            "assignee": f"staff{rid % 500}",
                            "text": "回访客户",
                            "due_ms": due,
                            "state": "pending",
                        },
                    )
                    pipe.zadd(keys.reminders_due(corp), {str(rid): due})
                await pipe.execute()
    finally:
        await redis.aclose()


async def _siyu(url: str, pending: int, rate: int, seconds: float) -> dict[str, Any]:
    corp = f"wwbench{secrets.token_hex(4)}"
    settings = Settings.model_validate(
        {
            "wecom": {"corp_id": corp},
            "apps": {"default": {"token": "t", "encoding_aes_key": "a" * 43}},
            "redis": {"url": url, "timeout_seconds": 5},
            "reminders": {"poll_seconds": 0.1, "batch_size": 2000},
        }
    )
    started = time.perf_counter()
    await _fill(url, corp, pending, FAR_FUTURE_MS, spread_ms=0, start=1)
    fill_seconds = time.perf_counter() - started
    redis = connect(url, 5.0)
    queue = EventQueue(redis, corp)
    await queue.ensure_group()
    rss_before = _rss_mb()
    runner = SchedulerRunner(settings, redis, queue, SystemClock())
    stop = asyncio.Event()
    began = time.perf_counter()
    task = asyncio.create_task(runner.run(stop))
    await runner.leading.wait()
    startup = time.perf_counter() - began
    burst = int(rate * seconds)
    first_due = int(time.time() * 1000) + 2000
    await _fill(url, corp, burst, first_due, spread_ms=int(seconds * 1000), start=pending + 1)
    await asyncio.sleep(seconds + 3)
    stop.set()
    await task
    entries = cast(
        list[tuple[str, dict[str, str]]], await redis.xrange(keys.events(corp), count=burst + 10)
    )
    lateness = [
        float(int(entry_id.split("-")[0]) - int(fields["dedup"].split("|")[2]))
        for entry_id, fields in entries
    ]
    info = await redis.info("memory")
    await redis.aclose()
    return {
        "design": "siyu: due index + APScheduler poll",
        "pending": pending,
        "fill_seconds": round(fill_seconds, 1),
        "startup_seconds": round(startup, 3),
        "scheduler_rss_mb_delta": round(_rss_mb() - rss_before, 1),
        "redis_used_mb": round(int(info["used_memory"]) / 2**20),
        "due": burst,
        "enqueued": len(lateness),
        "late_p50_ms": _percentile(lateness, 0.5),
        "late_p99_ms": _percentile(lateness, 0.99),
        "late_max_ms": max(lateness, default=0),
    }


def _aps_job() -> None:
    """What each APScheduler job runs (nothing: we time the scheduler, not the work)."""


def _aps(url: str, size: int) -> dict[str, Any]:
    from apscheduler.jobstores.redis import RedisJobStore  # noqa: PLC0415
    from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415
    from apscheduler.triggers.date import DateTrigger  # noqa: PLC0415

    prefix = f"aps{secrets.token_hex(3)}"
    store_args = {"jobs_key": f"{prefix}.jobs", "run_times_key": f"{prefix}.run_times"}
    host = {"unix_socket_path": url.removeprefix("unix://")} if url.startswith("unix") else {}
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    far = datetime(2100, 1, 1, tzinfo=UTC)
    rss_before = _rss_mb()
    began = time.perf_counter()
    adder = BackgroundScheduler(jobstores={"default": RedisJobStore(**store_args, **host)})
    adder.start(paused=True)
    added = 0
    for index in range(size):
        adder.add_job(_aps_job, DateTrigger(far + timedelta(seconds=index)), id=f"r{index}")
        added += 1
        if time.perf_counter() - began > _APS_TIME_BOX_SECONDS:
            break
    add_seconds = time.perf_counter() - began
    adder.shutdown(wait=False)
    began = time.perf_counter()
    runner = BackgroundScheduler(jobstores={"default": RedisJobStore(**store_args, **host)})
    runner.start()
    jobs = len(runner.get_jobs())  # what an admin listing (or a restart's reconciliation) loads
    startup = time.perf_counter() - began
    runner.shutdown(wait=False)
    return {
        "design": "APScheduler RedisJobStore, a job per reminder",
        "pending": size,
        "added": added,
        "add_seconds": round(add_seconds, 1),
        "adds_per_second": round(added / add_seconds),
        "startup_and_list_seconds": round(startup, 2),
        "jobs_listed": jobs,
        "rss_mb_delta": round(_rss_mb() - rss_before, 1),
        "completed": added == size,
    }


def run_reminders_bench(pending: int, rate: int, seconds: float, *, as_json: bool) -> int:
    """Run both designs on one embedded Redis and print the figures."""
    with tempfile.TemporaryDirectory(prefix="siyu-bench-") as workdir:
        server = EmbeddedRedis(Path(workdir) / "redis")
        url = server.start()
        try:
            results = [asyncio.run(_siyu(url, pending, rate, seconds))]
            for size in _APS_SIZES:
                if size > pending:
                    break
                results.append(_aps(url, size))
                if not results[-1]["completed"]:
                    break  # this size did not fit the time box: the next will not either
        finally:
            server.stop()
    for result in results:
        print(
            json.dumps(result, ensure_ascii=False)
            if as_json
            else "  ".join(f"{k}={v}" for k, v in result.items())
        )
    return 0
