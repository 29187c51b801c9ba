"""The load: customers adding staff (welcomes) and staff writing to the app, at a steady rate,
delivered by the sandbox's emitter (encrypted, signed, retried like WeCom) to the gateways.

A ``DeliveryMode`` the faults switch changes how the emitter delivers: extra copies, a delay,
batches shuffled. A ``Balancer`` spreads deliveries over the gateways, dead or alive, as a
round-robin DNS name would.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.callbacks import message_xml
from bot.chaos.accounting import SentEvent
from bot.events import parse_event
from bot.sandbox import actors, campaigns, plaintexts
from bot.sandbox.emitter import Delivery, EmitOptions
from bot.sandbox.world import World

WELCOME_SHARE: Final = 0.25  # of the events: adds with a WelcomeCode, the rest staff messages
REORDERED_BATCH: Final = 4  # messages per shuffled batch
_TEXTS: Final = ("你好", "收到", "明天见", "谢谢", "好的，稍后回复")


@dataclass(slots=True)
class DeliveryMode:
    """How the emitter delivers right now (faults switch these)."""

    duplicates: int = 0
    delay_seconds: float = 0.0
    reorder: bool = False

    def options(self) -> EmitOptions:
        """The emitter's options for the next event."""
        return EmitOptions(duplicates=self.duplicates, delay_seconds=self.delay_seconds)


@dataclass(frozen=True, slots=True)
class Planned:
    """An event handed to the emitter: its id, kind and welcome code (adds only)."""

    event_id: str
    kind: str
    welcome_code: str | None = None


class Load:
    """Emits ``rate`` events a second into the sandbox world until stopped.

    ``contact_way``: customers add staff by scanning that live code (its state on the add)
    instead of adding a staff member directly.
    """

    def __init__(
        self,
        world: World,
        staff: Sequence[str],
        rng: random.Random,
        rate: float,
        contact_way: str | None = None,
    ) -> None:
        self._world = world
        self._staff = list(staff)
        self._contact_way = contact_way
        self._rng = rng
        self._interval = 1.0 / rate
        self._customers = 0
        self.mode = DeliveryMode()
        self.planned: list[Planned] = []

    async def run(self, stop: asyncio.Event) -> None:
        """Emit on a fixed schedule (catching up if the loop fell behind) until ``stop``."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not stop.is_set():
            due += self._interval
            self._emit_one()
            delay = due - loop.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)

    def _emit_one(self) -> None:
        options = self.mode.options()
        if self.mode.reorder:
            self._emit_shuffled(options)
        elif self._rng.random() < WELCOME_SHARE:
            self._customers += 1
            customer = f"wmchaos{self._customers:06d}"
            added = (
                campaigns.customer_scans(self._world, self._contact_way, customer, options)
                if self._contact_way
                else actors.customer_adds_staff(
                    self._world, customer, self._rng.choice(self._staff), "", options
                )
            )
            code = added["welcome_code"]
            self.planned.append(
                Planned(str(added["event_id"]), "welcome", code if isinstance(code, str) else None)
            )
        else:
            text = self._rng.choice(_TEXTS)
            wrote = actors.staff_writes(
                self._world, self._rng.choice(self._staff), text, "default", options
            )
            self.planned.append(Planned(str(wrote["event_id"]), "message"))

    def _emit_shuffled(self, options: EmitOptions) -> None:
        world = self._world
        agent_id = world.config.apps["default"].agent_id
        batch = [
            plaintexts.app_text(
                world.corp.corp_id,
                world.now(),
                self._rng.choice(self._staff),
                self._rng.choice(_TEXTS),
                msg_id=world.corp.next_msg_id(),
                agent_id=agent_id,
            )
            for _ in range(REORDERED_BATCH)
        ]
        for emission in world.emitter.emit_batch("default", batch, options, shuffle=True):
            self.planned.append(Planned(emission.event_id, "message"))


def sent_events(planned: Sequence[Planned], deliveries: Sequence[Delivery]) -> list[SentEvent]:
    """Each planned event with the outcome of its tries and its dedup key (the real parser's)."""
    tries: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    for delivery in deliveries:
        outcome = str(delivery.status) if delivery.status is not None else _reason(delivery.error)
        tries.setdefault(delivery.emission.event_id, []).append(outcome)
        if delivery.emission.event_id not in keys:
            fields = delivery.emission.fields
            keys[delivery.emission.event_id] = parse_event(message_xml(fields)).dedup_key
    return [
        SentEvent(
            p.event_id,
            p.kind,
            keys.get(p.event_id, ""),
            tuple(tries.get(p.event_id, ())),
            p.welcome_code,
        )
        for p in planned
    ]


def _reason(error: str | None) -> str:
    """A try's error without its details: ``timeout``, ``ClientConnectorError``, ..."""
    return (error or "no answer").split(":", 1)[0]


class Balancer:
    """Points the emitter at the next gateway every ``period`` seconds, dead or alive."""

    def __init__(self, world: World, urls: Sequence[str], period: float = 0.5) -> None:
        self._world = world
        self._urls = list(urls)
        self._period = period

    async def run(self, stop: asyncio.Event) -> None:
        """Rotate until ``stop``."""
        turn = 0
        while not stop.is_set():
            self._world.emitter.point("default", self._urls[turn % len(self._urls)])
            turn += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._period)
