"""``siyu bench ingest``: callbacks/s and latency of siyu vs Flask + wechatpy, same run.

One embedded Redis serves every server. Each server runs in its own process and receives
its own pre-signed callbacks (distinct MsgIds, so none is a duplicate) from the same
aiohttp load generator; afterwards Redis and /metrics are asked what was really enqueued.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from bench import cpu, verify
from bench.load import WARMUP_SECONDS, build_callbacks, run_load
from bench.report import RunResult, Target, print_json, print_table, too_many_errors
from bench.servers import (
    AES_KEY,
    TOKEN,
    Server,
    ServerStartError,
    free_port,
    running_baseline,
    running_siyu,
)
from bot.store.embedded import EmbeddedRedis, EmbeddedRedisError

TARGETS: Final = (
    Target("siyu", "siyu (role all)", "wwbench", "all"),
    Target("siyu_gateway", "siyu (role gateway)", "wwbenchgw", "gateway"),
    Target("baseline", "flask+wechatpy", "wwbaseline", None),
    # The peer as most integrations run it: verify, decrypt, parse, answer; nothing stored.
    Target("baseline_no_redis", "flask+wechatpy, no Redis", "wwnoredis", None, durable=False),
)
# Callbacks signed per second of load: above what one process can take on 2 cores.
_POOL_RATE: Final = 6000


@contextlib.contextmanager
def _server(target: Target, workdir: Path, port: int, redis_url: str) -> Iterator[Server]:
    if target.role is None:
        store = redis_url if target.durable else ""
        with running_baseline(workdir, target.corp_id, port, store) as server:
            yield server
    else:
        with running_siyu(workdir, target.corp_id, port, redis_url, target.role) as server:
            yield server


def _enqueued(
    target: Target, server: Server, redis_url: str
) -> tuple[int | None, int | None, int | None]:
    """(entries the server says it queued, dedup keys, siyu's unprocessed backlog)."""
    if not target.durable:
        return None, None, None
    if target.role is None:
        prefix = f"baseline:{{{target.corp_id}}}"
        queued, backlog = verify.stream_length(redis_url, f"{prefix}:events"), None
    else:
        prefix = f"siyu:{{{target.corp_id}}}"
        queued = verify.siyu_accepted(server.port)
        backlog = verify.stream_length(redis_url, f"{prefix}:events")
    return queued, verify.count_keys(redis_url, f"{prefix}:dedup:*"), backlog


def _run_target(
    target: Target, workdir: Path, redis_url: str, seconds: float, concurrency: int
) -> RunResult:
    """Start the server, load it, count what it enqueued, stop it."""
    port = free_port()
    count = math.ceil((WARMUP_SECONDS + seconds) * _POOL_RATE)
    posts = build_callbacks(f"http://127.0.0.1:{port}", TOKEN, AES_KEY, target.corp_id, count)
    gc.collect()
    gc.freeze()  # the pool is immortal: keep the collector off it while timing
    try:
        with _server(target, workdir, port, redis_url) as server:
            before, started = cpu.sample(server.process.pid), time.perf_counter()
            load = asyncio.run(run_load(posts, seconds, concurrency))
            after, wall = cpu.sample(server.process.pid), time.perf_counter() - started
            queued, dedup_keys, backlog = _enqueued(target, server, redis_url)
    finally:
        del posts
        gc.unfreeze()
    used = after - before if after is not None and before is not None else None
    return RunResult(target, load, queued, dedup_keys, backlog, used, wall)


def _run_all(workdir: Path, seconds: float, concurrency: int) -> list[RunResult]:
    redis_server = EmbeddedRedis(workdir / "redis")
    redis_url = redis_server.start()
    try:
        return [_run_target(target, workdir, redis_url, seconds, concurrency) for target in TARGETS]
    finally:
        redis_server.stop()


def run_ingest_bench(seconds: float, concurrency: int, *, as_json: bool = False) -> int:
    """Run the benchmark and print its report; 1 if a server failed or >1% errors."""
    if seconds <= 0 or concurrency < 1:
        print("siyu bench: --seconds must be > 0 and --concurrency >= 1", file=sys.stderr)
        return 2
    if not as_json:
        print(f"siyu bench ingest: {len(TARGETS)} servers, ~{seconds + 4:.0f} s each ...")
    with tempfile.TemporaryDirectory(prefix="siyu-bench-") as tmp:
        try:
            results = _run_all(Path(tmp), seconds, concurrency)
        except (ServerStartError, EmbeddedRedisError) as exc:
            print(f"siyu bench: {exc}", file=sys.stderr)
            return 1
    if as_json:
        print_json(results, seconds, concurrency)
    else:
        print_table(results, seconds, concurrency)
    return 1 if too_many_errors(results) else 0
