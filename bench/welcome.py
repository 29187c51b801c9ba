"""``siyu bench welcome``: customers scan a live code at a fixed rate; how fast are they
welcomed, and is anyone missed?

Three real processes on this machine: the sandbox (``siyu sandbox``), siyu (``siyu serve``)
and an embedded Redis; this process drives the scans and watches. Each scan makes the
sandbox emit add_external_contact (with a fresh WelcomeCode) to siyu, whose handlers look
the customer up, send the welcome, refresh the profile, tag, count and rebalance the code.

Latency is measured per welcome code, from siyu's gateway receive time (``received_ms`` of
the stream entry, read here by an XREAD observer as it is added) to the sandbox receiving
send_welcome_msg (its outbox ``at``); both are the same machine's wall clock. Missed: every
scan whose code did not get a successful send_welcome_msg.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Final, cast

import aiohttp

from bench.load import percentile
from bench.servers import ServerStartError, http_get
from bench.welcome_report import Result, print_report
from bench.welcome_stack import (
    Queue,
    Stack,
    cpu_seconds,
    machine_busy_seconds,
    running_stack,
)
from bot.lanes import LANES
from bot.store import keys
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis, EmbeddedRedisError

TARGET_P99_MS: Final = 200.0
WARMUP_SCANS: Final = 40
_CODE: Final = re.compile(r"<WelcomeCode><!\[CDATA\[([^\]]+)\]\]></WelcomeCode>")
_WELCOME_METRIC: Final = re.compile(r'^siyu_welcome_total\{outcome="(\w+)"\} ([0-9.e+]+)$', re.M)
_DRAIN_SECONDS: Final = 120.0
# WeCom allows 10,000 calls of one API a minute per corp (doc 90454; siyu's limiter and the
# sandbox enforce it), and every add makes one externalcontact/get, one send_welcome_msg and
# one mark_tag: 200 adds/s is 12,000 a minute. A 60 s load started 25 s into a clock minute
# gives each of the two minutes it touches 7,000: under the limit. Started at :00 it would
# put 12,000 in one minute, and WeCom (like the sandbox) refuses the excess with 45009.
MINUTE_OFFSET_SECONDS: Final = 25.0


async def _align_to_minute() -> None:
    """Sleep until ``MINUTE_OFFSET_SECONDS`` past the next (or this) clock minute."""
    wait = (MINUTE_OFFSET_SECONDS - time.time() % 60) % 60
    await asyncio.sleep(wait)


async def _observe(
    redis_url: str, streams: list[str], received: dict[str, int], stop: asyncio.Event
) -> None:
    """Record each welcome code's gateway receive time as its entry lands on a stream.

    Both lanes carry the add (with the same receive time): an entry a lane's worker acked and
    deleted before this read it is still seen on the other.
    """
    client = connect(redis_url, 5.0)
    last = dict.fromkeys(streams, "$")
    try:
        while not stop.is_set():
            reply = await client.xread(last, count=1000, block=200)  # type: ignore[arg-type]
            for stream, entries in cast(
                list[tuple[str, list[tuple[str, dict[str, str]]]]], reply or []
            ):
                for entry_id, fields in entries:
                    last[stream] = entry_id
                    found = _CODE.search(fields.get("xml", ""))
                    if found:
                        received.setdefault(found.group(1), int(fields["received_ms"]))
    finally:
        await client.aclose()


async def _scan(
    session: aiohttp.ClientSession, url: str, customer: str, scans: list[dict[str, Any]]
) -> None:
    sent_at = time.time()
    try:
        async with session.post(url, json={"customer": customer}) as answer:
            body = await answer.json() if answer.status == 200 else {}  # noqa: PLR2004
            scans.append({"status": answer.status, "sent_at": sent_at, **body})
    except (aiohttp.ClientError, TimeoutError) as exc:
        scans.append({"status": type(exc).__name__, "sent_at": sent_at})


async def _drive(
    session: aiohttp.ClientSession, url: str, rate: float, count: int, prefix: str
) -> tuple[list[dict[str, Any]], float]:
    """``count`` scans at ``rate`` per second (open loop); the scans and the worst lag."""
    scans: list[dict[str, Any]] = []
    tasks: list[asyncio.Task[None]] = []
    start, worst = time.perf_counter(), 0.0
    for number in range(count):
        due = start + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        worst = max(worst, -delay)
        tasks.append(asyncio.create_task(_scan(session, url, f"{prefix}{number:06d}", scans)))
    await asyncio.gather(*tasks)
    return scans, worst


async def _drained(session: aiohttp.ClientSession, stack: Stack) -> bool:
    """Wait until the sandbox delivered everything and siyu handled it."""
    deadline = time.monotonic() + _DRAIN_SECONDS
    while time.monotonic() < deadline:
        async with session.get(f"{stack.sandbox_url}/sandbox/emitter") as answer:
            emitter = await answer.json()
        async with session.get(f"http://127.0.0.1:{stack.siyu_port}/readyz") as answer:
            ready = await answer.json()
        if emitter["in_flight"] == 0 and ready.get("stream_length") == 0:
            return True
        await asyncio.sleep(0.2)
    return False


async def _welcomes(session: aiohttp.ClientSession, stack: Stack) -> dict[str, tuple[int, int]]:
    """welcome code → (sandbox receive time ms, errcode) of every send_welcome_msg."""
    url = f"{stack.sandbox_url}/sandbox/outbox?api=externalcontact/send_welcome_msg"
    async with session.get(url) as answer:
        entries = await answer.json()
    return {
        str(e["body"]["welcome_code"]): (
            int(datetime.fromisoformat(e["at"]).timestamp() * 1000),
            int((e["response"] or {}).get("errcode", -2)),
        )
        for e in entries
    }


async def _redis_pid(redis_url: str) -> int:
    client = connect(redis_url, 5.0)
    try:
        return int((await client.info("server"))["process_id"])
    finally:
        await client.aclose()


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process, and of the whole machine (all cores)."""
    used = {name: cpu_seconds(pid) or 0.0 for name, pid in pids.items()}
    return {**used, "machine": machine_busy_seconds() or 0.0}


def _outcomes(port: int) -> dict[str, int]:
    status, body = http_get(port, "/metrics", timeout=10.0)
    if status != 200:  # noqa: PLR2004
        return {}
    return {m[1]: int(float(m[2])) for m in _WELCOME_METRIC.finditer(body.decode())}


async def _measure(
    stack: Stack, config_id: str, redis_url: str, rate: float, seconds: float
) -> Result:
    received: dict[str, int] = {}
    stop = asyncio.Event()
    lanes = [keys.events(stack.corp_id, lane) for lane in LANES]
    observer = asyncio.create_task(_observe(redis_url, lanes, received, stop))
    url = f"{stack.sandbox_url}/sandbox/contact_ways/{config_id}/scan"
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await _drive(session, url, 20.0, WARMUP_SCANS, "wmWARM")  # tokens, tags, connections
        await _drained(session, stack)
        await _align_to_minute()
        pids = {
            "sandbox": stack.sandbox.popen.pid,
            "siyu": stack.siyu.popen.pid,
            "redis": await _redis_pid(redis_url),
            "bench": os.getpid(),
        }
        if stack.worker is not None:
            pids["siyu worker"] = stack.worker.popen.pid
        before = _cpu(pids)
        started = time.perf_counter()
        scans, lag = await _drive(session, url, rate, int(rate * seconds), "wmBENCH")
        load_wall = time.perf_counter() - started
        after = _cpu(pids)
        drained = await _drained(session, stack)
        stop.set()
        await observer
        welcomes = await _welcomes(session, stack)
    cpu = {name: round(100 * (after[name] - before[name]) / load_wall, 1) for name in before}
    cpu["others"] = round(cpu["machine"] - sum(v for k, v in cpu.items() if k != "machine"), 1)
    return _result(
        scans,
        received,
        welcomes,
        rate=rate,
        seconds=seconds,
        lag=lag,
        cpu=cpu,
        drained=drained,
        outcomes=_outcomes(stack.siyu_port),
    )


def _result(
    scans: list[dict[str, Any]],
    received: dict[str, int],
    welcomes: dict[str, tuple[int, int]],
    *,
    rate: float,
    seconds: float,
    lag: float,
    cpu: dict[str, float],
    drained: bool,
    outcomes: dict[str, int],
) -> Result:
    codes = [str(s["welcome_code"]) for s in scans if s.get("welcome_code")]
    sent = [code for code in codes if welcomes.get(code, (0, -1))[1] == 0]
    latencies = sorted(float(welcomes[c][0] - received[c]) for c in sent if c in received)
    end_to_end = sorted(
        welcomes[str(s["welcome_code"])][0] - s["sent_at"] * 1000
        for s in scans
        if s.get("welcome_code") and str(s["welcome_code"]) in sent
    )
    return Result(
        rate=rate,
        seconds=seconds,
        scans=len(scans),
        adds=len(codes),
        sent=len(sent),
        missed=len(codes) - len(sent),
        measured=len(latencies),
        p50=percentile(latencies, 0.50),
        p90=percentile(latencies, 0.90),
        p99=percentile(latencies, 0.99),
        max=latencies[-1] if latencies else 0.0,
        e2e_p50=percentile(end_to_end, 0.50),
        e2e_p99=percentile(end_to_end, 0.99),
        driver_lag_ms=round(lag * 1000, 1),
        cpu=cpu,
        drained=drained,
        outcomes=outcomes,
        target_p99_ms=TARGET_P99_MS,
    )


def _run(workdir: Path, rate: float, seconds: float, queue: Queue) -> Result:
    redis_server = EmbeddedRedis(workdir / "redis")
    redis_url = redis_server.start()
    try:
        with running_stack(workdir, redis_url, queue) as (stack, config_id):
            return asyncio.run(_measure(stack, config_id, redis_url, rate, seconds))
    finally:
        redis_server.stop()


def run_welcome_bench(args: argparse.Namespace) -> int:
    """Run the benchmark (options: bot/cli/channel_arguments.py) and print its report; 1 if a
    target was missed or a process failed."""
    rate, seconds, as_json = float(args.rate), float(args.seconds), bool(args.json)
    extra = Path(args.extra_config).read_text("utf-8") if args.extra_config else ""
    queue = Queue(int(args.consumers), int(args.batch_size), extra, bool(args.split))
    if rate <= 0 or seconds <= 0 or queue.consumers < 1 or queue.batch_size < 1:
        print("siyu bench welcome: --rate and --seconds must be > 0", file=sys.stderr)
        return 2
    if not as_json:
        print(
            f"siyu bench welcome: {rate:g} adds/s for {seconds:g} s "
            "(sandbox, siyu and Redis as separate processes) ..."
        )
    with tempfile.TemporaryDirectory(prefix="siyu-bench-welcome-") as tmp:
        try:
            result = _run(Path(tmp), rate, seconds, queue)
        except (ServerStartError, EmbeddedRedisError) as exc:
            print(f"siyu bench welcome: {exc}", file=sys.stderr)
            return 1
    print_report(result, as_json=as_json)
    return 0 if result.met else 1
