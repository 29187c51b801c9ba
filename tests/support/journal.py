"""The journal, a router for tests: counts every event once, through the ledger.

The count is a ledger-guarded effect that tests read back: it proves a redelivered event (a
worker killed between the effect and its XACK) does not repeat an effect, and that every
acknowledged callback was handled. Production routers do not include it.
"""

from __future__ import annotations

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import AnyEvent, Event, UnknownEvent
from bot.store import keys

router = Router(name="journal")


@router.on(Event)
async def journal_event(event: Event, deps: Deps) -> None:
    """Count a typed event once."""
    await _count_once(event, deps)


@router.on(UnknownEvent)
async def journal_unknown(event: UnknownEvent, deps: Deps) -> None:
    """Count an event siyu has no type for once."""
    await _count_once(event, deps)


async def _count_once(event: AnyEvent, deps: Deps) -> None:
    def count(pipe: Pipeline) -> None:
        pipe.hincrby(keys.demo_effects(deps.corp_id), event.dedup_key, 1)

    await deps.ledger.apply_once(f"journal:{event.dedup_key}", count)
