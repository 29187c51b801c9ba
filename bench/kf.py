"""``siyu bench kf``: 100 customers chat with the 微信客服 bot at once; how many messages a
second does it answer, and how fast?

Three real processes on this machine: the sandbox (``siyu sandbox``), siyu (``siyu serve``)
and an embedded Redis; this process plays the customers. Each customer asks one of the
FAQ's questions, then again every ``--interval`` seconds (jittered). Each message makes the
sandbox log it and send kf_msg_or_event to siyu, which pulls it with kf/sync_msg (one puller
per account, the others leave a "read again" mark), queues it, and the bot answers it with
kf/send_msg.

Latency per message: from the driver's POST of the customer's message (the sandbox sends the
callback at once) to the sandbox receiving the kf/send_msg that answers it (matched by the
bot's msgid, derived from the customer's msgid); both are this machine's wall clock, so it
includes the callback's own delivery. Answered: messages with a successful kf/send_msg.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import aiohttp

from bench.load import percentile
from bench.servers import ServerStartError, http_get
from bench.welcome_stack import Queue, Stack, running_stack
from bot.store.embedded import EmbeddedRedis, EmbeddedRedisError
from handlers.conversations.sending import msgid_for

TARGET_P99_MS: Final = 300.0
KF: Final = "wkDEMOkf0001"  # the demo seed's account
QUESTIONS: Final = (
    "地址在哪",
    "营业时间是几点",
    "几点关门",
    "怎么预约体验课",
    "门店在哪里",
    "你们几点开门",
)
_DRAIN_SECONDS: Final = 120.0
_UNSENT: Final = re.compile(r'^siyu_kf_unsent_total\{reason="(\w+)"\} ([0-9.e+]+)$', re.M)


@dataclass(frozen=True, slots=True)
class Result:
    """One run (milliseconds where timed)."""

    customers: int
    seconds: float
    interval: float
    messages: int  # customer messages the sandbox took
    answered: int  # with a successful kf/send_msg
    answered_per_second: float  # answered / load duration
    p50: float  # customer message POSTed → kf/send_msg received by the sandbox
    p90: float
    p99: float
    max: float
    drained: bool
    unsent: dict[str, int]  # siyu_kf_unsent_total by reason
    target_p99_ms: float

    @property
    def met(self) -> bool:
        """p99 under target, every message answered."""
        return self.p99 < self.target_p99_ms and self.answered == self.messages and self.drained


async def _customer(
    session: aiohttp.ClientSession, url: str, pace: tuple[float, float], sent: dict[str, float]
) -> None:
    """One customer (``url``: their message route): a question now (after a random offset),
    then one every ``interval`` until ``until`` (``pace``)."""
    until, interval = pace
    await asyncio.sleep(random.uniform(0, interval))  # noqa: S311 - load jitter, not secrets
    while time.monotonic() < until:
        started = time.time()
        body = {"text": random.choice(QUESTIONS)}  # noqa: S311
        async with session.post(url, json=body) as answer:
            if answer.status == 200:  # noqa: PLR2004
                sent[str((await answer.json())["msgid"])] = started
        await asyncio.sleep(interval * random.uniform(0.8, 1.2))  # noqa: S311


def _route(stack: Stack, customer: str) -> str:
    return f"{stack.sandbox_url}/sandbox/kf/{KF}/customers/{customer}/message"


async def _drained(session: aiohttp.ClientSession, stack: Stack) -> bool:
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


async def _answers(session: aiohttp.ClientSession, stack: Stack) -> dict[str, float]:
    """The bot's msgid → when the sandbox received it (s), for accepted kf/send_msg."""
    url = f"{stack.sandbox_url}/sandbox/outbox?api=kf/send_msg"
    async with session.get(url) as answer:
        entries: list[dict[str, Any]] = await answer.json()
    return {
        str(e["body"].get("msgid", "")): datetime.fromisoformat(e["at"]).timestamp()
        for e in entries
        if (e["response"] or {}).get("errcode") == 0
    }


def _unsent(port: int) -> dict[str, int]:
    status, body = http_get(port, "/metrics", timeout=10.0)
    if status != 200:  # noqa: PLR2004
        return {}
    return {m[1]: int(float(m[2])) for m in _UNSENT.finditer(body.decode())}


async def _measure(stack: Stack, customers: int, seconds: float, interval: float) -> Result:
    connector = aiohttp.TCPConnector(limit=customers + 10)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        warm: dict[str, float] = {}  # tokens, connections, the analyzer
        await _customer(session, _route(stack, "wmKFWARM0001"), (time.monotonic() + 1, 0.2), warm)
        await _drained(session, stack)
        sent: dict[str, float] = {}
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _customer(session, _route(stack, f"wmKFBENCH{n:04d}"), (until, interval), sent)
                for n in range(customers)
            )
        )
        drained = await _drained(session, stack)
        load_wall = time.perf_counter() - started
        answers = await _answers(session, stack)
    latencies = sorted(
        1000 * (answers[bot] - at)
        for msgid, at in sent.items()
        if (bot := msgid_for(f"kf-answer:kf:{msgid}", 0)) in answers
    )
    return Result(
        customers=customers,
        seconds=seconds,
        interval=interval,
        messages=len(sent),
        answered=len(latencies),
        answered_per_second=round(len(latencies) / load_wall, 1),
        p50=percentile(latencies, 0.50),
        p90=percentile(latencies, 0.90),
        p99=percentile(latencies, 0.99),
        max=latencies[-1] if latencies else 0.0,
        drained=drained,
        unsent=_unsent(stack.siyu_port),
        target_p99_ms=TARGET_P99_MS,
    )


def _print(result: Result, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({**asdict(result), "met": result.met}, ensure_ascii=False))
        return
    print(
        f"\n{result.customers} customers for {result.seconds:g} s, one message each every "
        f"~{result.interval:g} s"
    )
    print(
        f"messages {result.messages}  answered {result.answered}  "
        f"({result.answered_per_second:g} answered/s)  unsent {result.unsent}"
    )
    print(
        f"customer message → kf/send_msg received (ms): p50 {result.p50:.1f}  "
        f"p90 {result.p90:.1f}  p99 {result.p99:.1f}  max {result.max:.1f}"
    )
    verdict = "met" if result.met else "NOT met"
    print(
        f"\np99 {result.p99:.1f} ms, target < {result.target_p99_ms:.0f} ms and every message "
        f"answered: {verdict}"
    )


def run_kf_bench(args: argparse.Namespace) -> int:
    """Run the benchmark and print its report; 1 if the target was missed or a process failed."""
    customers, seconds, interval = int(args.customers), float(args.seconds), float(args.interval)
    if customers < 1 or seconds <= 0 or interval <= 0:
        print("siyu bench kf: --customers ≥ 1, --seconds and --interval > 0", file=sys.stderr)
        return 2
    if not args.json:
        print(
            f"siyu bench kf: {customers} customers chatting for {seconds:g} s "
            "(sandbox, siyu and Redis as separate processes) ..."
        )
    with tempfile.TemporaryDirectory(prefix="siyu-bench-kf-") as tmp:
        workdir = Path(tmp)
        redis_server = EmbeddedRedis(workdir / "redis")
        try:
            redis_url = redis_server.start()
            queue = Queue(int(args.consumers), int(args.batch_size))
            with running_stack(workdir, redis_url, queue) as (stack, _):
                result = asyncio.run(_measure(stack, customers, seconds, interval))
        except (ServerStartError, EmbeddedRedisError) as exc:
            print(f"siyu bench kf: {exc}", file=sys.stderr)
            return 1
        finally:
            redis_server.stop()
    _print(result, as_json=bool(args.json))
    return 0 if result.met else 1
