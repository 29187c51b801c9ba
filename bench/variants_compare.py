"""Scratch: CPU per accepted callback of gateway variants, in interleaved rounds.

``python -m bench.variants_compare [--rounds 3] [--seconds 5] VARIANT...``: VARIANT is ``siyu``
(``siyu serve --role gateway``, as the benchmark runs it), ``peer`` (Flask + wechatpy without
Redis) or parts of bench/gateway_variants.py (``app+open+enqueue``). Each round runs every
variant once, in order, under the ingest benchmark's load (50 connections); the table shows
the median and the range over the rounds of server + Redis CPU µs per 200.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from bench import cpu
from bench.load import WARMUP_SECONDS, build_callbacks, run_load
from bench.servers import (
    AES_KEY,
    TOKEN,
    Server,
    _running,
    free_port,
    running_baseline,
    running_siyu,
)
from bot.store.embedded import EmbeddedRedis

_POOL_RATE: Final = 7000
_EXTRA_PATH: Final = "/tmp/ingestcpu/extra"  # noqa: S108 - where uvloop was installed apart


@contextlib.contextmanager
def _variant(name: str, workdir: Path, corp: str, port: int, url: str) -> Iterator[Server]:
    if name == "siyu":
        with running_siyu(workdir, corp, port, url, "gateway") as server:
            yield server
    elif name == "peer":
        with running_baseline(workdir, corp, port, "") as server:
            yield server
    else:
        command = [
            sys.executable,
            "-m",
            "bench.gateway_variants",
            "serve",
            name,
            str(port),
            url,
            corp,
        ]
        path = os.environ.get("PYTHONPATH", "")
        env = {**os.environ, "PYTHONPATH": f"{_EXTRA_PATH}:{path}" if path else _EXTRA_PATH}
        with _running(name, command, port, workdir / f"{corp}.log", env) as server:
            yield server


def _measure(name: str, index: int, workdir: Path, url: str, seconds: float) -> tuple[float, ...]:
    """(server µs, Redis µs, 200s per second) of one run."""
    corp, port = f"wwv{index}", free_port()
    count = math.ceil((WARMUP_SECONDS + seconds) * _POOL_RATE)
    posts = build_callbacks(f"http://127.0.0.1:{port}", TOKEN, AES_KEY, corp, count)
    gc.collect()
    gc.freeze()
    try:
        with _variant(name, workdir, corp, port, url) as server:
            before = cpu.sample(server.process.pid)
            load = asyncio.run(run_load(posts, seconds, 50))
            after = cpu.sample(server.process.pid)
    finally:
        del posts
        gc.unfreeze()
    if before is None or after is None or not load.ok or load.errors:
        raise SystemExit(f"{name}: no CPU figures or errors {dict(load.errors)}")
    used = after - before
    return 1e6 * used.server / load.ok, 1e6 * used.redis / load.ok, load.throughput


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ({min(values):6.1f}-{max(values):6.1f})"


def main() -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    runs: dict[str, list[tuple[float, ...]]] = {name: [] for name in args.variants}
    with tempfile.TemporaryDirectory(prefix="siyu-variants-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis")
        url = redis_server.start()
        try:
            index = 0
            for _round in range(args.rounds):
                for name in args.variants:
                    index += 1
                    runs[name].append(_measure(name, index, Path(tmp), url, args.seconds))
                    server, redis, rate = runs[name][-1]
                    print(f"  {name}: {server:.1f} + {redis:.1f} µs, {rate:.0f}/s", flush=True)
        finally:
            redis_server.stop()
    _print_table(runs)
    return 0


def _print_table(runs: dict[str, list[tuple[float, ...]]]) -> None:
    """Medians and ranges; with a ``peer`` row, each round's total over the peer's."""
    peer = [server + redis for server, redis, _ in runs.get("peer", [])]
    print(
        f"\n{'variant':<42} {'total µs/200 median (range)':>28} {'server':>7} {'redis':>6}"
        f"  {'/ peer, same round':>20}"
    )
    for name, measured in runs.items():
        totals = [server + redis for server, redis, _ in measured]
        server = statistics.median(run[0] for run in measured)
        redis = statistics.median(run[1] for run in measured)
        ratios = [total / other for total, other in zip(totals, peer, strict=False)]
        ratio = (
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
            if ratios
            else ""
        )
        print(f"{name:<42} {_summary(totals):>28} {server:7.1f} {redis:6.1f}  {ratio:>20}")


if __name__ == "__main__":
    raise SystemExit(main())
