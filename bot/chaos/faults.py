"""The faults: a plan drawn from ``--seed`` and their injection into the running processes.

Kills (SIGKILL, then a restart) of each role; Redis restarted (SIGTERM, AOF reloaded) or
unreachable (SIGSTOP: clients hang) for a while; a gateway whose spool is full during an
outage; the sandbox answering -1, 45009, 45033, 42001 or not at all, in bursts; duplicated,
delayed and reordered deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import aiohttp

from bot.chaos.load import DeliveryMode
from bot.chaos.processes import RedisServer, SiyuProcess
from bot.sandbox.world import World

LONG_FORM_MINUTES: Final = 10.0  # the outages below are for this long a run, scaled down
OUTAGES_SECONDS: Final = (30.0, 60.0)  # Redis unreachable, in the long form
SANDBOX_ERRCODES: Final = (-1, 45009, 45033, 42001)
_READY_SECONDS: Final = 30.0

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PlannedFault:
    """A fault at ``at`` seconds into the load, lasting ``seconds``, on ``target``."""

    at: float
    name: str
    seconds: float
    target: str = ""

    @property
    def description(self) -> str:
        """What the progress line says when it starts."""
        if self.name.startswith("kill "):
            return f"SIGKILL {self.target}, restarted after {self.seconds:.1f} s"
        if self.name == "redis restart":
            return "redis restart (SIGTERM, AOF reloaded)"
        if self.name == "spool full":
            return f"spool full on {self.target}: Redis unreachable for {self.seconds:.1f} s"
        if self.name == "redis unreachable" and self.target:
            return f"redis unreachable for {self.seconds:.1f} s, SIGKILL {self.target} midway"
        return f"{self.name} for {self.seconds:.1f} s"


def plan_faults(
    rng: random.Random, load_seconds: float, minutes: float, roles: Mapping[str, Sequence[str]]
) -> list[PlannedFault]:
    """Every kind of fault at random moments (``roles``: role → its process names)."""
    scale = minutes / LONG_FORM_MINUTES
    rounds = max(1, round(minutes))

    def moment() -> float:
        return rng.uniform(0.05, 0.75) * load_seconds

    def burst() -> float:
        return max(2.0, rng.uniform(0.03, 0.08) * load_seconds)

    plan = [
        PlannedFault(moment(), f"kill {role}", rng.uniform(0.5, 3.0), rng.choice(names))
        for role, names in roles.items()
        for _ in range(rounds)
    ]
    plan += [PlannedFault(moment(), "redis restart", 0.0) for _ in range(rounds)]
    plan += [  # the longer outage also SIGKILLs a gateway midway: its spool is adopted
        PlannedFault(moment(), "redis unreachable", max(floor, outage * scale), target)
        for floor, outage, target in zip(
            (3.0, 5.0), OUTAGES_SECONDS, ("", rng.choice(roles["gateway"])), strict=True
        )
    ]
    plan.append(PlannedFault(moment(), "spool full", 3.0, rng.choice(roles["gateway"])))
    plan += [
        PlannedFault(moment(), f"sandbox errcode {code}", burst()) for code in SANDBOX_ERRCODES
    ]
    plan.append(PlannedFault(moment(), "sandbox timeouts", burst()))
    plan += [
        PlannedFault(moment(), f"{kind} deliveries", burst())
        for kind in ("duplicated", "delayed", "reordered")
    ]
    return sorted(plan, key=lambda fault: fault.at)


class Injector:
    """Applies planned faults to the run's processes, sandbox and emitter."""

    def __init__(  # noqa: PLR0917 - the parts of the run it acts on
        self,
        processes: Mapping[str, SiyuProcess],
        redis: RedisServer,
        world: World,
        mode: DeliveryMode,
        tiny_spool_configs: Mapping[str, Path],
        say: Say,
    ) -> None:
        self._processes = processes
        self._redis = redis
        self._world = world
        self._mode = mode
        self._tiny_spool = tiny_spool_configs
        self._say = say
        self._redis_lock = asyncio.Lock()  # one Redis fault at a time

    async def apply(self, fault: PlannedFault) -> None:
        """Inject ``fault``, wait out its duration, undo it (Redis faults one after another)."""
        if fault.name.startswith("redis") or fault.name == "spool full":
            async with self._redis_lock:
                self._say(fault.description)
                await self._redis_fault(fault)
            self._say(f"{fault.name}: over")
            return
        self._say(fault.description)
        if fault.name.startswith("kill "):
            await self._kill(self._processes[fault.target], fault.seconds)
        elif fault.name.startswith("sandbox"):
            await self._sandbox_burst(fault)
        else:
            await self._delivery_window(fault)
        self._say(f"{fault.name} {fault.target}".strip() + ": over")

    async def _kill(self, process: SiyuProcess, down_seconds: float) -> None:
        async with process.lock:
            await process.kill()
            await asyncio.sleep(down_seconds)
            await process.start()
            await wait_ready(process)

    async def _redis_fault(self, fault: PlannedFault) -> None:
        if fault.name == "redis restart":
            await self._redis.stop()
            await self._redis.start()
            return
        if fault.name == "redis unreachable":
            self._redis.pause()
            if fault.target:
                await self._kill_in_outage(self._processes[fault.target], fault.seconds)
            else:
                await asyncio.sleep(fault.seconds)
            self._redis.resume()
            return
        gateway = self._processes[fault.target]  # spool full: a tiny spool during an outage
        async with gateway.lock:
            await gateway.stop()
            await gateway.start(self._tiny_spool[gateway.name])
            await wait_ready(gateway)
            self._redis.pause()
            await asyncio.sleep(fault.seconds)
            self._redis.resume()
            await gateway.stop()
            await gateway.start()
            await wait_ready(gateway)

    async def _kill_in_outage(self, gateway: SiyuProcess, outage_seconds: float) -> None:
        """SIGKILL a gateway holding spooled callbacks midway, restart it while Redis is away."""
        await asyncio.sleep(outage_seconds / 2)
        async with gateway.lock:
            await gateway.kill()
            await asyncio.sleep(0.5)
            await gateway.start()
            await asyncio.sleep(outage_seconds / 2)
            state = "answers" if await answers(gateway) else "does not answer yet"
        self._say(f"{gateway.name} restarted in the outage: {state}")

    async def _sandbox_burst(self, fault: PlannedFault) -> None:
        spec: dict[str, object] = {"api": "*", "seconds": fault.seconds}
        if fault.name == "sandbox timeouts":
            spec["timeout"] = True
        else:
            spec["errcode"] = int(fault.name.rsplit(" ", 1)[1])
        self._world.faults.add(spec, self._world.now())
        await asyncio.sleep(fault.seconds)

    async def _delivery_window(self, fault: PlannedFault) -> None:
        kind = fault.name.split(" ", 1)[0]
        self._set_delivery(kind, on=True)
        await asyncio.sleep(fault.seconds)
        self._set_delivery(kind, on=False)

    def _set_delivery(self, kind: str, *, on: bool) -> None:
        if kind == "duplicated":
            self._mode.duplicates = 2 if on else 0
        elif kind == "delayed":
            self._mode.delay_seconds = 0.5 if on else 0.0
        else:
            self._mode.reorder = on


async def answers(gateway: SiyuProcess, session: aiohttp.ClientSession | None = None) -> bool:
    """The gateway answers /healthz with 200 now."""
    url = f"http://127.0.0.1:{gateway.port}/healthz"
    async with contextlib.AsyncExitStack() as stack:
        if session is None:
            timeout = aiohttp.ClientTimeout(total=1.0)
            session = await stack.enter_async_context(aiohttp.ClientSession(timeout=timeout))
        try:
            async with session.get(url) as answer:
                return answer.status == 200  # noqa: PLR2004 - alive
        except (aiohttp.ClientError, TimeoutError):
            return False
    return False  # pragma: no cover - mypy: the with block returns


async def wait_ready(process: SiyuProcess) -> None:
    """A gateway answers /healthz; another role is merely running (it probes on any port)."""
    if not process.port:
        return
    deadline = asyncio.get_running_loop().time() + _READY_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0)) as session:
        while asyncio.get_running_loop().time() < deadline:
            if not process.alive:
                raise RuntimeError(f"{process.name} exited while starting; see its log")
            if await answers(process, session):
                return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{process.name} did not answer /healthz within {_READY_SECONDS:.0f} s")
