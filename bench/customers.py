"""``siyu bench customers``: customer search and task audiences on the Redis indexes.

An embedded Redis is filled with ``customers`` profiles (relations to ``staff`` members,
tags out of ``tags``, channels, first-added dates over two years, activity) and their index
entries, written the way siyu writes them (``CustomerIndex.write``). Then: Redis memory per
customer, the p99 of a search page (name prefix, any-of tags, staff, a date range) and of an
audience count by three tags, and the time to turn a 200,000-customer task audience into
per-staff sends (index → candidates → selection → WeCom-sized chunks). The baseline, in the
same run, is what group tasks did before the indexes: SCAN every relation key.
"""

# ruff: noqa: S311 - the benchmark's data is random, not secret

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from redis.asyncio import Redis

from bench.console_pages import time_pages
from bot.store import keys
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis
from handlers.customers.indexes import CustomerIndex, CustomerQuery, Memberships
from handlers.customers.profiles import Relation
from handlers.tasks.model import CustomerFilter
from handlers.tasks.sources import from_index, from_store
from handlers.tasks.splitting import split
from handlers.tasks.targeting import select

CORP: Final = "wwbench"
_PAGE_ROUNDS: Final = 20  # fetches of each console page
_CHUNK: Final = 5_000
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
_DAY: Final = 86_400
_START: Final = 1_735_689_600  # 2025-01-01


@dataclass(frozen=True, slots=True)
class Result:
    """What one run measured."""

    customers: int
    staff: int
    tags: int
    fill_seconds: float
    bytes_per_customer: float
    search_p99_ms: float
    count_p99_ms: float
    split_customers: int
    split_seconds: float
    split_chunks: int
    scan_baseline_seconds: float
    page_p99_ms: dict[str, float]  # each console page's answer time (bench/console_pages.py)

    def lines(self) -> list[str]:
        """The report."""
        return [
            f"customers {self.customers:,}, staff {self.staff:,}, tags {self.tags} "
            f"(filled in {self.fill_seconds:.0f} s)",
            f"redis memory per customer      {self.bytes_per_customer:,.0f} B "
            "(profile, relations and indexes)",
            f"search page p99                {self.search_p99_ms:.1f} ms   (target < 200 ms)",
            f"audience count by 3 tags p99   {self.count_p99_ms:.1f} ms   (target < 200 ms)",
            f"task split: {self.split_customers:,} customers → {self.split_chunks} sends in "
            f"{self.split_seconds:.1f} s   (target < 30 s)",
            f"baseline: SCAN of every relation key, as group tasks did: "
            f"{self.scan_baseline_seconds:.1f} s",
            f"console pages: slowest p99 {max(self.page_p99_ms.values(), default=0):.0f} ms "
            "(target < 300 ms); each page's p99:",
            *(f"  {ms:7.1f} ms  {path}" for path, ms in sorted(self.page_p99_ms.items())),
        ]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


async def _fill(redis: Redis, customers: int, staff: int, tags: int, seed: int) -> None:
    rng = random.Random(seed)
    index = CustomerIndex(redis, CORP)
    for first in range(0, customers, _CHUNK):
        async with redis.pipeline(transaction=False) as pipe:
            for n in range(first, min(first + _CHUNK, customers)):
                ext = f"wm{n:09d}"
                name = _name(rng)
                added = _START + rng.randrange(730 * _DAY)
                owners = rng.sample(range(staff), 1 if rng.random() < 0.8 else 2)  # noqa: PLR2004
                relations = [
                    Relation(
                        f"staff{u:05d}",
                        added + i * _DAY,
                        tag_ids=tuple(f"et{t:03d}" for t in rng.sample(range(tags), 3)),
                        state=f"ch{rng.randrange(40):02d}",
                    )
                    for i, u in enumerate(owners)
                ]
                pipe.hset(
                    keys.customer(CORP, ext),
                    mapping={
                        "name": name,
                        "first_added_at": str(added),
                        "updated_at": str(added),
                    },
                )
                pipe.hset(
                    keys.customer_relations(CORP, ext),
                    mapping={r.userid: r.to_json() for r in relations},
                )
                new = Memberships(
                    frozenset(t for r in relations for t in r.tag_ids),
                    frozenset(r.userid for r in relations),
                    frozenset(r.state for r in relations),
                    name,
                    added,
                )
                index.write(pipe, ext, Memberships(), new)
                index.touch(pipe, ext, added + rng.randrange(60 * _DAY))
            await pipe.execute()


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


async def _searches(index: CustomerIndex, staff: int, tags: int, rounds: int) -> list[float]:
    rng = random.Random(7)
    took = []
    for _ in range(rounds):
        query = CustomerQuery(
            name_prefix=rng.choice(_SURNAMES) if rng.random() < 0.5 else "",  # noqa: PLR2004
            any_tags=tuple(f"et{t:03d}" for t in rng.sample(range(tags), 2)),
            staff=(f"staff{rng.randrange(staff):05d}",) if rng.random() < 0.5 else (),  # noqa: PLR2004
            added_from=_START + rng.randrange(365) * _DAY,
        )
        started = time.perf_counter()
        await index.search(query, 0, 20)  # what GET /api/v1/customers does for a first page
        took.append(time.perf_counter() - started)
    return took


async def _counts(index: CustomerIndex, tags: int, rounds: int) -> list[float]:
    rng = random.Random(11)
    took = []
    for _ in range(rounds):
        chosen = rng.sample(range(tags), 3)
        query = CustomerQuery(
            any_tags=tuple(f"et{t:03d}" for t in chosen[:1]),
            all_tags=tuple(f"et{t:03d}" for t in chosen[1:2]),
            no_tags=tuple(f"et{t:03d}" for t in chosen[2:]),
        )
        started = time.perf_counter()
        await index.count(query)
        took.append(time.perf_counter() - started)
    return took


async def _split(redis: Redis, tags: int, target: int) -> tuple[int, float, int]:
    """A task for about ``target`` customers: any of enough tags to reach that many."""
    index = CustomerIndex(redis, CORP)
    chosen: list[str] = []
    for t in range(tags):
        chosen.append(f"et{t:03d}")
        if await index.count(CustomerQuery(any_tags=tuple(chosen))) >= target:
            break
    rule = CustomerFilter(any_tags=tuple(chosen))
    started = time.perf_counter()
    candidates = await from_index(redis, CORP, rule)
    chosen_ = select(rule, candidates, frozenset(), frozenset())
    chunks = split(chosen_.senders, 10_000)
    return len(chosen_.senders), time.perf_counter() - started, len(chunks)


async def _bench(url: str, customers: int, staff: int, tags: int) -> Result:
    redis = connect(url, 120.0)
    try:
        before = int((await redis.info("memory"))["used_memory"])
        started = time.perf_counter()
        await _fill(redis, customers, staff, tags, seed=1)
        filled = time.perf_counter() - started
        after = int((await redis.info("memory"))["used_memory"])
        index = CustomerIndex(redis, CORP)
        searches = await _searches(index, staff, tags, 200)
        counts = await _counts(index, tags, 200)
        split_customers, split_seconds, chunks = await _split(redis, tags, min(200_000, customers))
        started = time.perf_counter()
        await from_store(redis, CORP)
        scan_seconds = time.perf_counter() - started
        pages = await time_pages(url, CORP, _PAGE_ROUNDS)
        return Result(
            customers,
            staff,
            tags,
            filled,
            (after - before) / customers,
            _p99(searches),
            _p99(counts),
            split_customers,
            split_seconds,
            chunks,
            scan_seconds,
            {path: _p99([ms / 1000 for ms in took]) for path, took in pages.items()},
        )
    finally:
        await redis.aclose()


def run_customers_bench(customers: int, staff: int, tags: int, *, as_json: bool) -> int:
    """Fill, measure, print; 0 if every target was met."""
    with tempfile.TemporaryDirectory(prefix="siyu-bench-customers-") as workdir:
        server = EmbeddedRedis(Path(workdir) / "redis")
        url = server.start()
        try:
            result = asyncio.run(_bench(url, customers, staff, tags))
        finally:
            server.stop()
    if as_json:
        print(json.dumps(result.__dict__ if hasattr(result, "__dict__") else _as_dict(result)))
    else:
        print("\n".join(result.lines()))
    pages_met = max(result.page_p99_ms.values(), default=0) < 300  # noqa: PLR2004
    met = result.search_p99_ms < 200 and result.count_p99_ms < 200 and result.split_seconds < 30  # noqa: PLR2004
    met = met and pages_met
    return 0 if met else 1


def _as_dict(result: Result) -> dict[str, float]:
    return {name: getattr(result, name) for name in result.__slots__}
