"""The journal: logs every event (kind and dedup key, never content) and counts it once.

The count is the demo's ledger-guarded effect: it proves a redelivered event (a worker killed
between the effect and its XACK) does not repeat an effect.
"""

from __future__ import annotations

import logging

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.dispatch import Router
from bot.events import AnyEvent, Event, UnknownEvent
from bot.store import keys

logger = logging.getLogger(__name__)

router = Router(name="journal")


@router.on(Event)
async def journal_event(event: Event, deps: Deps) -> None:
    """Log a typed event and count it once."""
    logger.info("event %s from %s (%s)", event.kind, event.from_user or "-", event.dedup_key)
    await _count_once(event, deps)


@router.on(UnknownEvent)
async def journal_unknown(event: UnknownEvent, deps: Deps) -> None:
    """Log an event siyu has no type for, so an operator can add one."""
    logger.warning(
        "unknown event MsgType=%s Event=%s (%s): %s",
        event.msg_type, event.event, event.dedup_key, event.reason,
    )  # fmt: skip
    await _count_once(event, deps)


async def _count_once(event: AnyEvent, deps: Deps) -> None:
    def count(pipe: Pipeline) -> None:
        pipe.hincrby(keys.demo_effects(deps.corp_id), event.dedup_key, 1)

    await deps.ledger.apply_once(f"journal:{event.dedup_key}", count)
