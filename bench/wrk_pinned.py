"""Scratch: the issue's method, one server pinned to a core and loaded by wrk.

``python -m bench.wrk_pinned KEY|VARIANT [--seconds 10] [--server-cpu 1] [--others-cpu 0]``: the
server's processes are pinned to ``--server-cpu``; wrk (2 threads, 50 connections) and the
embedded Redis to ``--others-cpu`` (the same CPU as the server to put everything on one core).
wrk sends pre-signed callbacks with distinct MsgIds (bench/wrk_callbacks.lua). Prints wrk's
requests/s and the server's and Redis's CPU per request from /proc.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from bench import cpu
from bench.ingest import TARGETS, _server
from bench.load import build_callbacks
from bench.servers import AES_KEY, TOKEN, free_port
from bench.variants_compare import _variant
from bot.store.embedded import EmbeddedRedis

_SCRIPT: Final = Path(__file__).with_name("wrk_callbacks.lua")
_RATE: Final = 7000  # callbacks written per second of load: more than any server takes here
_THREADS: Final = 2
_REQUESTS: Final = re.compile(r"(\d+) requests in")


def _pin(pid: int, cpu_index: int) -> None:
    """Pin every thread of ``pid`` and of its children."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        _pin(int(child), cpu_index)
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {cpu_index})


def _write_requests(path: Path, port: int, corp: str, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for post in build_callbacks(f"http://127.0.0.1:{port}", TOKEN, AES_KEY, corp, count):
            out.write(f"{post.url.raw_path_qs}\t{post.body.decode('utf-8')}\n")


def main() -> int:
    """Run one server pinned, under wrk; print requests/s and CPU per request."""
    parser = argparse.ArgumentParser()
    parser.add_argument("key", help="a row of the benchmark, or a bench/gateway_variants variant")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--server-cpu", type=int, default=1)
    parser.add_argument("--others-cpu", type=int, default=0)
    args = parser.parse_args()
    target = next((target for target in TARGETS if target.key == args.key), None)
    corp, label = (target.corp_id, target.label) if target else ("wwvariant", args.key)
    with tempfile.TemporaryDirectory(prefix="siyu-wrk-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis")
        redis_url = redis_server.start()
        try:
            os.sched_setaffinity(0, {args.others_cpu})  # Redis is our child, pinned below
            port, requests = free_port(), Path(tmp) / "requests.txt"
            _write_requests(requests, port, corp, math.ceil(args.seconds * _RATE))
            serving = (
                _server(target, Path(tmp), port, redis_url)
                if target
                else _variant(args.key, Path(tmp), corp, port, redis_url)
            )
            with serving as server:
                _pin(server.process.pid, args.server_cpu)
                for pid in _redis_pids():
                    _pin(pid, args.others_cpu)
                before = cpu.sample(server.process.pid)
                wrk = subprocess.run(
                    [
                        _wrk(),
                        f"-t{_THREADS}",
                        "-c50",
                        f"-d{args.seconds}s",
                        "-s",
                        str(_SCRIPT),
                        f"http://127.0.0.1:{port}",
                        "--",
                        str(requests),
                        str(_THREADS),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                after = cpu.sample(server.process.pid)
        finally:
            redis_server.stop()
    found = _REQUESTS.search(wrk.stdout)
    if before is None or after is None or found is None:
        print(wrk.stdout, wrk.stderr)
        return 1
    used, count = after - before, int(found.group(1))
    errors = re.findall(r"Non-2xx.*|Socket errors.*", wrk.stdout)
    print(
        f"{label}: {count / args.seconds:.0f} requests/s (wrk) {errors or ''}; µs per"
        f" request: server {1e6 * used.server / count:.1f}, redis {1e6 * used.redis / count:.1f}"
    )
    return 0


def _wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    return found


def _redis_pids() -> list[int]:
    """The redis-server processes below this one."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text(encoding="ascii").rsplit(")", 1)
        except OSError:
            continue
        if head.endswith("(" + cpu.REDIS_NAME) and int(tail.split()[1]) == me:
            found.append(int(stat.parent.name))
    return found


if __name__ == "__main__":
    raise SystemExit(main())
