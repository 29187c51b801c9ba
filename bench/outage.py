"""``siyu bench outage``: Redis unreachable for a minute under a steady load of callbacks.

Real processes (Redis with AOF, gateways and workers with the chaos journal, the sandbox over
HTTP on the real clock, all from ``bot.chaos``): customers scan a live code (adds with a
welcome code) and staff write to the app at ``--rate`` a second; after a warm-up Redis is
paused (SIGSTOP: its clients hang, as in a partition) for ``--seconds``, then resumed while
the load goes on. Then the chaos accounting checks every callback answered 200 took effect,
and each add's welcome is judged by how old its code was when the add reached Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import aiohttp
from redis.asyncio import Redis

from bench.outage_report import AddRecord, OutageResult, at_ms, classify_welcomes, exit_status
from bench.outage_report import table as report_table
from bot.chaos.accounting import SentEvent, account
from bot.chaos.faults import wait_ready
from bot.chaos.journal import effects_key
from bot.chaos.load import Balancer, Load, sent_events
from bot.chaos.processes import ConfigSpec, RedisServer, SiyuProcess, free_port, write_config
from bot.chaos.run import sandbox
from bot.chaos.watch import metric_total
from bot.lanes import EXPRESS
from bot.queue import EventQueue
from bot.sandbox import actors
from bot.sandbox.emitter import MAX_LOG
from bot.sandbox.records import ContactWay
from bot.sandbox.world import World
from bot.spool import SUFFIX, unframe
from bot.store import keys

GATEWAYS: Final = 2
WORKERS: Final = 2
STAFF: Final = 5
LIVE_CODE: Final = "outage-live-code"
CLAIM_IDLE_SECONDS: Final = 10.0
SETTLE_SECONDS: Final = 120.0  # after the load: for the replay and the workers to catch up
WELCOME_API: Final = "externalcontact/send_welcome_msg"

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class OutageOptions:
    """``siyu bench outage``'s flags."""

    seconds: float = 60.0
    rate: float = 200.0
    warmup: float = 10.0
    after: float = 30.0
    seed: int = 1
    workdir: Path | None = None


def run_outage_bench(args: argparse.Namespace) -> int:
    """Run, print the table; 0 when WeCom saw no 5xx, nothing was lost, valid welcomes sent."""
    if min(args.seconds, args.rate, args.warmup, args.after) <= 0:
        print("siyu bench outage: --seconds, --rate, --warmup and --after must be positive",
              file=sys.stderr)  # fmt: skip
        return 2
    if (args.warmup + args.seconds + args.after) * args.rate > MAX_LOG:  # tries would be dropped
        print(f"siyu bench outage: at most {MAX_LOG} callbacks a run (the emitter's log)",
              file=sys.stderr)  # fmt: skip
        return 2
    options = OutageOptions(args.seconds, args.rate, args.warmup, args.after, args.seed,
                            args.workdir)  # fmt: skip
    started = time.monotonic()

    def say(line: str) -> None:
        sys.stdout.write(f"outage: {time.monotonic() - started:7.1f} s  {line}\n")
        sys.stdout.flush()

    try:
        result = asyncio.run(run_outage(options, say))
    except RuntimeError as exc:  # a process would not start: no account to give
        print(f"siyu bench outage: the run stopped: {exc}", file=sys.stderr)
        return 2
    for line in report_table(result):
        sys.stdout.write(line + "\n")
    return exit_status(result)


async def run_outage(options: OutageOptions, say: Say) -> OutageResult:
    """The whole run; its directory is removed after a clean run unless ``workdir`` was given."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="siyu-outage-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result: OutageResult | None = None
    try:
        async with sandbox() as (world, api_base):
            redis = RedisServer(workdir / "redis")
            await redis.start()
            try:
                spec = ConfigSpec(world.config, api_base, redis.url, workdir / "data",
                                  workdir / "spool", CLAIM_IDLE_SECONDS)  # fmt: skip
                processes = _processes(spec, workdir)
                rig = _Rig(world, redis, processes, spec.spool_dir)
                result = await _with_processes(options, say, rig)
                return result
            finally:
                await redis.stop()
    finally:
        if options.workdir is None and result is not None and result.ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"logs, configs, Redis and spool kept in {workdir}")


def _processes(spec: ConfigSpec, workdir: Path) -> list[SiyuProcess]:
    processes = []
    for role, count in (("gateway", GATEWAYS), ("worker", WORKERS)):
        for number in range(1, count + 1):
            name = f"{role}-{number}"
            port = free_port() if role == "gateway" else 0
            config = write_config(spec, workdir / f"{name}.toml", port=port)
            processes.append(SiyuProcess(name, role, config, workdir / f"{name}.log", port))
    return processes


@dataclass(frozen=True, slots=True)
class _Rig:
    """What the run acts on: the sandbox's world, Redis, siyu's processes, their spool."""

    world: World
    redis: RedisServer
    processes: Sequence[SiyuProcess]
    spool_dir: Path


async def _with_processes(options: OutageOptions, say: Say, rig: _Rig) -> OutageResult:
    processes = rig.processes
    await asyncio.gather(*(p.start() for p in processes))
    try:
        await asyncio.gather(*(wait_ready(p) for p in processes))
        say(f"started redis (AOF), the sandbox, {GATEWAYS} gateways and {WORKERS} workers")
        return await _load_and_account(options, say, rig)
    finally:
        await asyncio.gather(*(p.stop() for p in processes))
        for process in processes:
            process.close_log()


async def _load_and_account(options: OutageOptions, say: Say, rig: _Rig) -> OutageResult:
    world, redis, processes = rig.world, rig.redis, rig.processes
    staff = [f"outage-staff-{n}" for n in range(1, STAFF + 1)]
    for userid in staff:
        actors.add_staff(world, userid, userid)
    _add_live_code(world, staff)
    rng = random.Random(options.seed)  # noqa: S311 - a reproducible mix, not a secret
    load = Load(world, staff, rng, options.rate, contact_way=LIVE_CODE)
    gateways = [p for p in processes if p.role == "gateway"]
    urls = [f"http://127.0.0.1:{g.port}/wecom/callback/default" for g in gateways]
    stop = asyncio.Event()
    background = [
        asyncio.create_task(load.run(stop)),
        asyncio.create_task(Balancer(world, urls).run(stop)),
    ]
    say(f"load: {options.rate:g} callbacks/s; warm-up {options.warmup:g} s")
    await asyncio.sleep(options.warmup)
    outage_start = world.now()
    redis.pause()
    say(f"redis paused (SIGSTOP) for {options.seconds:g} s")
    await asyncio.sleep(options.seconds)
    redis.resume()
    outage_end = world.now()
    say(f"redis resumed (SIGCONT); load goes on for {options.after:g} s")
    await asyncio.sleep(options.after)
    stop.set()
    await asyncio.gather(*background)
    await world.emitter.idle()
    events = sent_events(load.planned, world.emitter.deliveries(0))
    say(f"load over: {len(events)} callbacks emitted, every delivery finished; settling")
    corp = world.config.corp_id
    client = Redis.from_url(redis.url, decode_responses=True)
    try:
        effects = await _settled(client, corp, events, rig.spool_dir)
        adds = await _add_records(client, world, events)
    finally:
        await client.aclose()
    spooled, by_gateways, already_queued = await _spool_counts(gateways)
    replayed = spooled - _records_left(rig.spool_dir)
    extra = {
        "replayed: already queued (dropped by dedup key)": already_queued,
        "replayed: by a worker (segment adopted)": replayed - by_gateways,
    }
    tally = account(events, effects, _welcomes_sent(world), spooled=spooled, extra=extra)
    welcomes = classify_welcomes(adds, outage_start, outage_end)
    return OutageResult(tally, welcomes, replayed, options.seconds, options.rate)


def _add_live_code(world: World, staff: Sequence[str]) -> None:
    """A live code (联系我) of every staff member, as the operator would have made in WeCom."""
    world.corp.contact_ways[LIVE_CODE] = ContactWay(
        LIVE_CODE, 2, 2, int(world.now().timestamp()), tuple(staff), state="outage"
    )


async def _settled(
    client: Redis, corp: str, events: Sequence[SentEvent], spool_dir: Path
) -> dict[str, int]:
    """The journal's counts once every accepted event took effect, both lanes are empty and
    the spool is replayed (or the settle time ran out)."""
    wanted = {e.dedup_key for e in events if e.accepted}
    lanes = [EventQueue(client, corp), EventQueue(client, corp, lane=EXPRESS)]
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        raw = await client.hgetall(effects_key(corp))
        effects = {str(key): int(count) for key, count in raw.items()}
        stats = [await lane.stats() for lane in lanes]
        drained = all(s.length == 0 and s.pending == 0 and s.delayed == 0 for s in stats)
        drained = drained and _records_left(spool_dir) == 0
        if (wanted <= effects.keys() and drained) or time.monotonic() > deadline:
            return effects
        await asyncio.sleep(0.5)


async def _add_records(client: Redis, world: World, events: Sequence[SentEvent]) -> list[AddRecord]:
    """Each accepted add: its code's issue time (the sandbox's), when it reached Redis (the
    stream id its dedup key holds), and whether its welcome went out."""
    sent = _welcomes_sent(world)
    adds = [e for e in events if e.accepted and e.welcome_code]
    corp = world.config.corp_id
    ids = await client.mget([keys.dedup(corp, e.dedup_key) for e in adds]) if adds else []
    records = []
    for event, entry_id in zip(adds, ids, strict=True):
        code = str(event.welcome_code)
        queued = at_ms(int(str(entry_id).split("-", 1)[0])) if entry_id else None
        issued: datetime = world.corp.welcome_codes[code].issued_at
        records.append(AddRecord(code, issued, queued, sent.get(code, 0) > 0))
    return records


def _welcomes_sent(world: World) -> dict[str, int]:
    """send_welcome_msg calls WeCom took (errcode 0), per welcome code."""
    sent: dict[str, int] = {}
    for entry in world.outbox.entries(WELCOME_API):
        code, answer = entry.body.get("welcome_code"), entry.response
        if isinstance(code, str) and answer is not None and answer.get("errcode") == 0:
            sent[code] = sent.get(code, 0) + 1
    return sent


def _records_left(spool_dir: Path) -> int:
    """Intact records still in the spool's segments (0 once everything was replayed)."""
    return sum(len(unframe(path.read_bytes())[0]) for path in spool_dir.rglob(f"*{SUFFIX}"))


async def _spool_counts(gateways: Sequence[SiyuProcess]) -> tuple[int, int, int]:
    """Callbacks the gateways spooled, those their own replay took out of the spool (a worker's
    replayer may adopt a segment too: it has no scraped port), and those among them already
    queued (an enqueue Redis finished after the gateway gave up on it)."""
    spooled = replayed = duplicates = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5.0)) as session:
        for gateway in gateways:
            async with session.get(f"http://127.0.0.1:{gateway.port}/metrics") as answer:
                text = await answer.text()
            spooled += metric_total(text, "siyu_spooled_total")
            replayed += metric_total(text, "siyu_spool_replayed_total")
            duplicates += metric_total(text, "siyu_spool_replayed_total", 'result="duplicate"')
    return spooled, replayed, duplicates
