"""Scratch: CPU per callback of each step of siyu's gateway path, measured alone, in-process.

``python -m bench.gateway_parts [N]``: N distinct pre-signed text callbacks (as ``siyu bench
ingest`` sends) go through each step N times; the figure is process CPU (``process_time``)
per call, best of three passes. The Redis steps talk to an embedded Redis and also report its
CPU (/proc). Not the whole path: aiohttp's share is what ``siyu bench ingest`` measures minus
these (and what py-spy shows of it).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl

from bench import cpu
from bench.load import build_callbacks
from bench.servers import AES_KEY, TOKEN
from bot.crypto import CallbackCrypto
from bot.envelope import parse_envelope, parse_fields
from bot.events import parse_event
from bot.events.registry import event_from_fields
from bot.inbound import check_timestamp, open_post
from bot.lanes import is_express
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.store.connection import connect
from bot.store.embedded import EmbeddedRedis

CORP: Final = "wwparts"
_PASSES: Final = 3


def _best(step: Callable[[int], object], count: int) -> float:
    """µs of process CPU per call of ``step(i)``, best of three passes."""
    best = float("inf")
    for _ in range(_PASSES):
        started = time.process_time()
        for i in range(count):
            step(i)
        best = min(best, time.process_time() - started)
    return 1e6 * best / count


def pure_steps(count: int) -> dict[str, float]:
    """The synchronous steps of ``open_post`` and the gateway's bookkeeping, each alone."""
    posts = build_callbacks("http://127.0.0.1:1", TOKEN, AES_KEY, CORP, count)
    queries = [dict(parse_qsl(post.url.query_string)) for post in posts]
    bodies = [post.body for post in posts]
    crypto = CallbackCrypto.create(TOKEN, AES_KEY, CORP)
    envelopes = [parse_envelope(body) for body in bodies]
    plaintexts = [crypto.decrypt(envelope.encrypt) for envelope in envelopes]
    fields = [parse_fields(text) for text in plaintexts]
    events = [parse_event(text) for text in plaintexts]
    metrics = Metrics()
    gateway_log = logging.getLogger("bot.gateway")
    gateway_log.setLevel(logging.WARNING)  # as in the benchmark's config: info is off
    now = time.time()

    from datetime import UTC, datetime  # noqa: PLC0415 - only here

    moment = datetime.fromtimestamp(now, tz=UTC)

    def verify(i: int) -> None:
        q = queries[i]
        crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], envelopes[i].encrypt)

    def count_and_observe(_i: int) -> None:
        metrics.count_callback("default", "accepted")
        metrics.callback_seconds.observe(0.002)

    steps: dict[str, Callable[[int], object]] = {
        "outer XML (parse_envelope, defusedxml)": lambda i: parse_envelope(bodies[i]),
        "signature (SHA-1 + compare_digest)": verify,
        "timestamp window": lambda i: check_timestamp(queries[i]["timestamp"], moment, 300),
        "AES decrypt + unwrap": lambda i: crypto.decrypt(envelopes[i].encrypt),
        "inner XML (parse_fields, defusedxml)": lambda i: parse_fields(plaintexts[i]),
        "event typing (registry + dataclass)": lambda i: event_from_fields(fields[i]),
        "dedup_key + is_express": lambda i: (events[i].dedup_key, is_express(events[i])),
        "clock.now()": lambda _i: datetime.now(tz=UTC),
        "open_post (all of the above)": lambda i: open_post(
            crypto, queries[i], bodies[i], moment, 300
        ),
        "metrics: count_callback + observe": count_and_observe,
        "logger.info (disabled)": lambda i: gateway_log.info("callback %s queued as %s", "text", i),
    }
    return {name: _best(step, count) for name, step in steps.items()}


async def _per_call(
    call: Callable[[int], Awaitable[object]], count: int, concurrency: int
) -> tuple[float, float]:
    """(µs of this process's CPU, µs of Redis CPU) per call, ``concurrency`` calls at a time."""
    before, started = cpu.sample(None), time.process_time()
    next_index = iter(range(count))

    async def client() -> None:
        for i in next_index:
            await call(i)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    used, after = time.process_time() - started, cpu.sample(None)
    redis = (after - before).redis if after is not None and before is not None else 0.0
    return 1e6 * used / count, 1e6 * redis / count


async def redis_steps(url: str, count: int, concurrency: int) -> dict[str, tuple[float, float]]:
    """The enqueue (redis-py + hiredis, the Lua script) and, to compare, a bare PING."""
    client = connect(url, 5.0)
    queue = EventQueue(client, CORP)
    xml = "<xml>" + "x" * 300 + "</xml>"  # about a text message's plaintext
    try:
        await queue.ensure_group()
        await queue.enqueue("default", "text", "warm", xml)
        results = {
            "enqueue (Lua: EXISTS + XADD + SET)": await _per_call(
                lambda i: queue.enqueue("default", "text", f"msg|{i}", xml), count, concurrency
            ),
            "PING (round trip only)": await _per_call(lambda _i: client.ping(), count, concurrency),
        }
    finally:
        await client.aclose()
    return results


def main(argv: list[str]) -> int:
    """Print µs per callback of each step."""
    count = int(argv[0]) if argv else 20000
    for name, micros in pure_steps(count).items():
        print(f"{name:<42} {micros:8.2f} µs")
    with tempfile.TemporaryDirectory(prefix="siyu-parts-") as tmp:
        embedded = EmbeddedRedis(Path(tmp) / "redis")
        url = embedded.start()
        try:
            for concurrency in (1, 50):
                steps = asyncio.run(redis_steps(url, count, concurrency))
                for name, (mine, redis) in steps.items():
                    label = f"{name} x{concurrency}"
                    print(f"{label:<42} {mine:8.2f} µs client  {redis:8.2f} µs redis")
        finally:
            embedded.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
