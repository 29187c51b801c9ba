"""The chaos journal: a ledger-guarded count of every handled event, included only by chaos.

Production routers never include it. The count is the effect ``siyu chaos`` checks: exactly
one per accepted callback, however often the event was delivered, redelivered or replayed.
"""

from __future__ import annotations

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import AnyEvent, Event, UnknownEvent
from bot.store import keys

router = Router(name="chaos-journal")


def effects_key(corp_id: str) -> str:
    """The hash the journal counts in: dedup key → times its guarded effect ran."""
    return keys.demo_effects(corp_id)


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
        pipe.hincrby(effects_key(deps.corp_id), event.dedup_key, 1)

    await deps.ledger.apply_once(f"chaos-journal:{event.dedup_key}", count)
