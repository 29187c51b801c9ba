"""One chaos run: start everything, load it, inject the planned faults, settle, account.

The sandbox runs in this process (served over real HTTP: siyu's processes call it as they
call WeCom); Redis and every siyu role are children that the faults kill and restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from aiohttp import web
from redis.asyncio import Redis

from bot.chaos.accounting import SentEvent, Tally, account
from bot.chaos.faults import Injector, PlannedFault, plan_faults, wait_ready
from bot.chaos.journal import effects_key
from bot.chaos.load import Balancer, Load, sent_events
from bot.chaos.logs import read_logs
from bot.chaos.processes import ConfigSpec, RedisServer, SiyuProcess, free_port, write_config
from bot.chaos.watch import SpoolWatch
from bot.queue import EventQueue
from bot.sandbox import actors
from bot.sandbox.config import SandboxConfig
from bot.sandbox.server import create_sandbox_app
from bot.sandbox.world import WORLD, World

ROLES: Final = {"gateway": 2, "worker": 2, "scheduler": 2}  # processes per role
STAFF: Final = 5
CLAIM_IDLE_SECONDS: Final = 10.0  # main-lane reclaim of a killed worker's events (default 30)
TINY_SPOOL_BYTES: Final = 4096  # the smallest [spool] max_bytes: full after a few callbacks
SETTLE_SECONDS: Final = 60.0  # after the load: time for replays and reclaims to finish
WELCOME_API: Final = "externalcontact/send_welcome_msg"
WELCOME_CODE_USED: Final = 41051  # a second use, or an expired code (doc 92599)


@dataclass(frozen=True, slots=True)
class ChaosOptions:
    """``siyu chaos``'s flags."""

    minutes: float
    seed: int
    rate: float
    workdir: Path | None = None


class Progress:
    """Progress lines, each with the seconds since the run started."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._start = time.monotonic()

    def __call__(self, text: str) -> None:
        """Say ``text`` now."""
        self._write(f"chaos: {time.monotonic() - self._start:7.1f} s  {text}")


@contextlib.asynccontextmanager
async def sandbox() -> AsyncIterator[tuple[World, str]]:
    """The sandbox on a free loopback port: its world and its API base URL."""
    app = create_sandbox_app(SandboxConfig.generate())
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield app[WORLD], f"http://127.0.0.1:{port}/cgi-bin"
    finally:
        await runner.cleanup()


def _processes(spec: ConfigSpec, workdir: Path) -> tuple[dict[str, SiyuProcess], dict[str, Path]]:
    """Every siyu process of the run, and each gateway's config with a tiny spool."""
    processes: dict[str, SiyuProcess] = {}
    tiny: dict[str, Path] = {}
    for role, count in ROLES.items():
        for number in range(1, count + 1):
            name = f"{role}-{number}"
            port = free_port() if role == "gateway" else 0
            config = write_config(spec, workdir / f"{name}.toml", port=port)
            if port:
                tiny[name] = write_config(
                    spec, workdir / f"{name}-tiny.toml", port=port, spool_max_bytes=TINY_SPOOL_BYTES
                )
            processes[name] = SiyuProcess(name, role, config, workdir / f"{name}.log", port)
    return processes, tiny


@dataclass(frozen=True, slots=True)
class Rig:
    """What a run acts on: the sandbox's world, Redis, the siyu processes."""

    world: World
    redis: RedisServer
    processes: dict[str, SiyuProcess]
    tiny_spool_configs: dict[str, Path]  # gateway → its config with a tiny spool

    def of_role(self, role: str) -> list[SiyuProcess]:
        """The processes of ``role``."""
        return [p for p in self.processes.values() if p.role == role]


async def run_chaos(options: ChaosOptions, say: Progress) -> Tally:
    """The whole run; the account of every event. The run's directory (configs, logs, Redis,
    spool) is removed after a clean run unless ``workdir`` was given; kept otherwise."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="siyu-chaos-"))
    workdir.mkdir(parents=True, exist_ok=True)
    tally: Tally | None = None
    try:
        async with sandbox() as (world, api_base):
            redis = RedisServer(workdir / "redis")
            await redis.start()
            try:
                spec = ConfigSpec(
                    world.config, api_base, redis.url, workdir / "data", workdir / "spool",
                    CLAIM_IDLE_SECONDS,
                )  # fmt: skip
                rig = Rig(world, redis, *_processes(spec, workdir))
                tally = await _with_processes(options, say, rig, workdir)
                return tally
            finally:
                await redis.stop()
    finally:
        if options.workdir is None and tally is not None and tally.ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say(f"logs, configs, Redis and spool kept in {workdir}")


async def _with_processes(options: ChaosOptions, say: Progress, rig: Rig, workdir: Path) -> Tally:
    processes = rig.processes.values()
    await asyncio.gather(*(p.start() for p in processes))
    try:
        await asyncio.gather(*(wait_ready(p) for p in processes))
        say(f"started redis, the sandbox and {len(processes)} siyu processes in {workdir}")
        tally = await _load_and_account(options, say, rig)
    finally:
        await asyncio.gather(*(p.stop() for p in processes))
        for process in processes:
            process.close_log()
    logged = read_logs(p.log_path for p in processes)
    if logged.commonest:
        say(f"children logged {logged.errors} ERROR lines, e.g. {logged.commonest}")
    extra = {"ERROR lines in logs": logged.errors, "tracebacks in logs": logged.tracebacks}
    return dataclasses.replace(tally, extra={**tally.extra, **extra})


async def _load_and_account(options: ChaosOptions, say: Progress, rig: Rig) -> Tally:
    rng = random.Random(options.seed)  # noqa: S311 - a reproducible plan, not a secret
    staff = [f"chaos-staff-{n}" for n in range(1, STAFF + 1)]
    for userid in staff:
        actors.add_staff(rig.world, userid, userid)
    load_seconds = options.minutes * 60
    roles = {role: [p.name for p in rig.of_role(role)] for role in ROLES}
    plan = plan_faults(rng, load_seconds, options.minutes, roles)
    load = Load(rig.world, staff, rng, options.rate)
    gateways = rig.of_role("gateway")
    urls = [f"http://127.0.0.1:{g.port}/wecom/callback/default" for g in gateways]
    injector = Injector(rig.processes, rig.redis, rig.world, load.mode, rig.tiny_spool_configs, say)
    watch = SpoolWatch(gateways)
    stop, watch_stop = asyncio.Event(), asyncio.Event()
    say(
        f"load: {options.rate:g}/s for {load_seconds:.0f} s, "
        f"{len(plan)} faults, seed {options.seed}"
    )
    background = [
        asyncio.create_task(load.run(stop)),
        asyncio.create_task(Balancer(rig.world, urls).run(stop)),
    ]
    watching = asyncio.create_task(watch.run(watch_stop))
    faults = [asyncio.create_task(_at(fault, injector)) for fault in plan]
    await asyncio.sleep(load_seconds)
    stop.set()
    await asyncio.gather(*background)
    say(f"load over: {len(load.planned)} events emitted; waiting for the faults to end")
    await asyncio.gather(*faults)
    await _restore(rig)
    await rig.world.emitter.idle()
    say("every delivery finished; settling")
    events = sent_events(load.planned, rig.world.emitter.deliveries(0))
    effects, dead = await _settle(rig, events)
    watch_stop.set()
    await watching
    sent, refused = _welcome_answers(rig.world)
    if refused["already used"]:
        say(f"welcome codes siyu tried again after a use: {refused['already used']}")
    return account(
        events,
        effects,
        sent,
        spooled=watch.total,
        extra={
            "faults injected": len(plan),
            "dead letters": dead,
            **{f"welcome calls refused: code {why}": n for why, n in sorted(refused.items())},
        },
    )


async def _at(fault: PlannedFault, injector: Injector) -> None:
    await asyncio.sleep(fault.at)
    await injector.apply(fault)


async def _restore(rig: Rig) -> None:
    """Undo whatever a fault left behind: Redis answering, every process up, no sandbox faults."""
    rig.redis.resume()
    rig.world.faults.clear()
    for process in rig.processes.values():
        if not process.alive:
            await process.start()
    await asyncio.gather(*(wait_ready(p) for p in rig.processes.values()))


async def _settle(rig: Rig, events: list[SentEvent]) -> tuple[dict[str, int], int]:
    """The journal's counts once settled, and how many events were dead-lettered."""
    corp = rig.world.config.corp_id
    client = Redis.from_url(rig.redis.url, decode_responses=True)
    try:
        effects = await _settled_effects(client, corp, events)
        return effects, (await EventQueue(client, corp).stats()).dead
    finally:
        await client.aclose()


def _welcome_answers(world: World) -> tuple[Counter[str], Counter[str]]:
    """send_welcome_msg calls WeCom took, per welcome code; those it refused (41051), by why."""
    sent: Counter[str] = Counter()
    refused: Counter[str] = Counter({"already used": 0, "expired": 0})
    for entry in world.outbox.entries(WELCOME_API):
        code, answer = entry.body.get("welcome_code"), entry.response
        if not isinstance(code, str) or answer is None:
            continue
        if answer.get("errcode") == 0:
            sent[code] += 1
        elif answer.get("errcode") == WELCOME_CODE_USED:
            errmsg = str(answer.get("errmsg", ""))
            refused[
                "already used"
                if "used" in errmsg
                else "expired"
                if "expired" in errmsg
                else "unknown"
            ] += 1
    return sent, refused


def _refusal(errmsg: str) -> str:
    """Why the sandbox refused a welcome code: "already used", "expired" or "unknown"."""
    for why in ("already used", "expired"):
        if why in errmsg:
            return why
    return "unknown"


async def _settled_effects(client: Redis, corp: str, events: list[SentEvent]) -> dict[str, int]:
    """The journal's counts once every accepted event took effect, or the settle time ran out."""
    wanted = {e.dedup_key for e in events if e.accepted}
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        raw = await client.hgetall(effects_key(corp))
        effects = {str(key): int(count) for key, count in raw.items()}
        if wanted <= effects.keys() or time.monotonic() > deadline:
            return effects
        await asyncio.sleep(0.5)
