"""Scratch: one server of ``siyu bench ingest`` under its load, optionally sampled by py-spy.

``python -m bench.ingest_profile KEY [--seconds S] [--py-spy PATH --out FILE]``: KEY is a row
of the ingest benchmark (siyu, siyu_gateway, baseline, baseline_no_redis). Prints the CPU per
accepted callback (utime and stime apart) for the server and Redis; with ``--py-spy`` the
server's processes are sampled during the timed load and the collapsed stacks written to
FILE (read them with ``python -m bench.profile_split FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import subprocess
import tempfile
from pathlib import Path

from bench import cpu
from bench.ingest import TARGETS, _server
from bench.load import WARMUP_SECONDS, build_callbacks, run_load
from bench.servers import AES_KEY, TOKEN, free_port
from bot.store.embedded import EmbeddedRedis

_POOL_RATE = 6000


def _split(pid: int) -> tuple[float, float]:
    """(utime, stime) seconds of ``pid`` and its children alive now."""
    ticks = os.sysconf("SC_CLK_TCK")
    user = system = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            user, system = user + int(fields[11]) / ticks, system + int(fields[12]) / ticks
    return user, system


def _worker_pids(pid: int) -> list[int]:
    """The server and its children (gunicorn's worker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    listed = children.read_text().split() if children.exists() else []
    return [pid, *map(int, listed)]


def _spy(args: argparse.Namespace, pid: int) -> subprocess.Popen[bytes]:
    """py-spy sampling ``pid`` for the warm-up and the timed load."""
    seconds = str(int(args.seconds + WARMUP_SECONDS))
    command = [
        args.py_spy,
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(args.rate),
        "--duration",
        seconds,
        "--format",
        "raw",
        "--gil",
        "--output",
        f"{args.out}.{pid}",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    """Run one server under load; print CPU per callback; optionally py-spy it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("key", choices=[target.key for target in TARGETS])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--py-spy", dest="py_spy", default="")
    parser.add_argument("--out", default="/tmp/ingest-profile.txt")  # noqa: S108 - scratch
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    args = parser.parse_args()
    target = next(target for target in TARGETS if target.key == args.key)
    with tempfile.TemporaryDirectory(prefix="siyu-profile-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis")
        redis_url = redis_server.start()
        try:
            port = free_port()
            count = math.ceil((WARMUP_SECONDS + args.seconds) * _POOL_RATE)
            posts = build_callbacks(
                f"http://127.0.0.1:{port}", TOKEN, AES_KEY, target.corp_id, count
            )
            gc.collect()
            gc.freeze()
            with _server(target, Path(tmp), port, redis_url) as server:
                pids = _worker_pids(server.process.pid)
                spies = [_spy(args, pid) for pid in (pids if args.py_spy else [])]
                before, split_before = cpu.sample(server.process.pid), _split(server.process.pid)
                load = asyncio.run(run_load(posts, args.seconds, args.concurrency))
                after, split_after = cpu.sample(server.process.pid), _split(server.process.pid)
                for spy in spies:
                    spy.wait()
        finally:
            redis_server.stop()
    if before is None or after is None:
        return 1
    used, ok = after - before, load.ok
    user, system = (split_after[0] - split_before[0]), (split_after[1] - split_before[1])
    print(
        f"{target.label}: {ok} 200s, {load.throughput:.0f}/s; µs per 200: server"
        f" {1e6 * used.server / ok:.1f} (user {1e6 * user / ok:.1f}, sys {1e6 * system / ok:.1f}),"
        f" redis {1e6 * used.redis / ok:.1f}, total {1e6 * (used.server + used.redis) / ok:.1f};"
        f" generator {1e6 * used.generator / ok:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
