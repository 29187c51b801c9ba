"""``siyu bench scale``: ingest with 1, 2, 3 ... gateway processes against one Redis.

For each count, a fresh embedded Redis and that many ``siyu serve --role gateway`` processes
(each its own port, as behind a load balancer); the load generator spreads its pre-signed
callbacks over them round-robin. Reported per count: callbacks/s, p99, and CPU seconds per
callback of the gateways (in all and per process), of Redis and of the load generator. The
baseline of the same run is the single gateway: the speed-up of N is throughput(N) / (1).

Everything shares this machine's cores, the load generator included; the per-callback CPU
figures are what carries over to N machines (see BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from bench import cpu, verify
from bench.load import WARMUP_SECONDS, LoadResult, PreparedPost, build_callbacks, run_load
from bench.servers import AES_KEY, TOKEN, ServerStartError, free_port, running_siyu
from bot.store.embedded import EmbeddedRedis, EmbeddedRedisError

CORP: Final = "wwscale"
_POOL_RATE: Final = 6000  # callbacks signed per second of load: above what this machine takes


@dataclass(frozen=True, slots=True)
class ScaleResult:
    """One gateway count's figures."""

    gateways: int
    throughput: float  # accepted callbacks per second
    p50_ms: float
    p99_ms: float
    errors: int
    accepted_in_redis: int  # what Redis holds afterwards: nothing acknowledged is missing
    acknowledged: int
    gateway_cpu_ms: float  # per callback, all gateways together
    per_gateway_cpu_ms: float  # per callback, one gateway process on average
    redis_cpu_ms: float
    generator_cpu_ms: float
    cores_busy: float  # CPU seconds used per wall second, everything together


def _posts(ports: list[int], count: int) -> list[PreparedPost]:
    """Callbacks with distinct MsgIds, the i-th sent to gateway i mod N."""
    every = build_callbacks("http://placeholder", TOKEN, AES_KEY, CORP, count)
    posts: list[PreparedPost] = []
    for index, post in enumerate(every):
        port = ports[index % len(ports)]
        posts.append(PreparedPost(post.url.with_host("127.0.0.1").with_port(port), post.body))
    return posts


def _run_count(workdir: Path, gateways: int, seconds: float, concurrency: int) -> ScaleResult:
    redis_server = EmbeddedRedis(workdir / f"redis-{gateways}")
    redis_url = redis_server.start()
    try:
        ports = [free_port() for _ in range(gateways)]
        count = math.ceil((WARMUP_SECONDS + seconds) * _POOL_RATE)
        posts = _posts(ports, count)
        gc.collect()
        gc.freeze()
        try:
            with contextlib.ExitStack() as stack:
                for index, port in enumerate(ports):
                    home = workdir / f"n{gateways}-g{index}"
                    home.mkdir()
                    stack.enter_context(running_siyu(home, CORP, port, redis_url, "gateway"))
                before, started = cpu.sample(None), time.perf_counter()
                load = asyncio.run(run_load(posts, seconds, concurrency * gateways))
                after, wall = cpu.sample(None), time.perf_counter() - started
                in_redis = verify.stream_length(redis_url, f"siyu:{{{CORP}}}:events") or 0
        finally:
            del posts
            gc.unfreeze()
    finally:
        redis_server.stop()
    used = after - before if after is not None and before is not None else None
    return _result(gateways, load, in_redis, used=used, wall=wall)


def _result(
    gateways: int, load: LoadResult, in_redis: int, *, used: cpu.CpuSample | None, wall: float
) -> ScaleResult:
    per = 1000 / max(load.ok, 1)  # ms per callback for each CPU second
    gateway = used.others * per if used else math.nan
    return ScaleResult(
        gateways=gateways,
        throughput=load.throughput,
        p50_ms=load.latency_ms(0.50),
        p99_ms=load.latency_ms(0.99),
        errors=load.requests - load.ok,
        accepted_in_redis=in_redis,
        acknowledged=load.ok,
        gateway_cpu_ms=gateway,
        per_gateway_cpu_ms=gateway / gateways if used else math.nan,
        redis_cpu_ms=used.redis * per if used else math.nan,
        generator_cpu_ms=used.generator * per if used else math.nan,
        cores_busy=(used.server + used.redis + used.generator + used.others) / wall
        if used
        else math.nan,
    )


def _print_table(results: list[ScaleResult], seconds: float) -> None:
    base = results[0].throughput or 1.0
    print(f"\nsiyu bench scale: {seconds:.0f} s of load per gateway count, one embedded Redis")
    print(
        f"{'gateways':>8} {'cb/s':>8} {'speed-up':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'gw CPU ms/cb':>12} {'per gw':>7} {'Redis':>6} {'loadgen':>7} {'cores busy':>10}"
    )
    for r in results:
        print(
            f"{r.gateways:>8} {r.throughput:>8.0f} {r.throughput / base:>7.2f}x {r.p50_ms:>7.1f} "
            f"{r.p99_ms:>7.1f} {r.errors:>6} {r.gateway_cpu_ms:>12.3f} "
            f"{r.per_gateway_cpu_ms:>7.3f} {r.redis_cpu_ms:>6.3f} {r.generator_cpu_ms:>7.3f} "
            f"{r.cores_busy:>10.2f}"
        )
    lost = [r.gateways for r in results if r.accepted_in_redis < r.acknowledged]
    print("every acknowledged callback is in Redis" if not lost else f"MISSING with {lost}")


def run_scale_bench(
    counts: list[int], seconds: float, concurrency: int, *, as_json: bool = False
) -> int:
    """Run each gateway count and print the report; 1 if a server failed or one was lost."""
    if seconds <= 0 or concurrency < 1 or not counts or min(counts) < 1:
        print("siyu bench scale: --seconds > 0, --concurrency >= 1, --gateways N,M,... >= 1")
        return 2
    if not as_json:
        print(f"siyu bench scale: gateways {counts}, ~{seconds + 5:.0f} s each ...")
    with tempfile.TemporaryDirectory(prefix="siyu-scale-") as tmp:
        try:
            results = [_run_count(Path(tmp), n, seconds, concurrency) for n in counts]
        except (ServerStartError, EmbeddedRedisError) as exc:
            print(f"siyu bench: {exc}", file=sys.stderr)
            return 1
    if as_json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        _print_table(results, seconds)
    return 1 if any(r.accepted_in_redis < r.acknowledged for r in results) else 0
